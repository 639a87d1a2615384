package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// sheetScanner reads <row> elements of a worksheet part byte by byte.
type sheetScanner struct {
	r   *bufio.Reader
	sst []string
	row int
}

// next returns the cells of the next row (raw values, shared strings
// resolved) and its number; io.EOF after the last.
func (s *sheetScanner) next() ([]string, int, error) {
	for {
		name, attrs, selfClose, err := s.tag()
		if err != nil {
			return nil, 0, err
		}
		switch name {
		case "row":
			s.row++
			if v := attr(attrs, "r"); v != "" {
				if n, err := strconv.Atoi(v); err == nil {
					s.row = n
				}
			}
			if selfClose {
				return nil, s.row, nil
			}
			cells, err := s.cells()
			return cells, s.row, err
		case "/sheetData":
			return nil, 0, io.EOF
		}
	}
}

// cells reads the <c> elements up to </row>.
func (s *sheetScanner) cells() ([]string, error) {
	var out []string
	col := 0
	for {
		name, attrs, selfClose, err := s.tag()
		if err != nil {
			return nil, err
		}
		switch name {
		case "/row":
			return out, nil
		case "c":
			col++
			if ref := attr(attrs, "r"); ref != "" {
				if c := colOfRef(ref); c > 0 {
					col = c
				}
			}
			val := ""
			if !selfClose {
				if val, err = s.cellValue(attr(attrs, "t")); err != nil {
					return nil, err
				}
			}
			if val != "" {
				for len(out) < col-1 {
					out = append(out, "")
				}
				out = append(out, val)
			}
		}
	}
}

// cellValue reads a cell's content up to </c>.
func (s *sheetScanner) cellValue(typ string) (string, error) {
	var v string
	var inline strings.Builder
	phonetic := 0
	for {
		name, _, selfClose, err := s.tag()
		if err != nil {
			return "", err
		}
		switch name {
		case "/c":
			switch typ {
			case "s":
				i, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil || i < 0 || i >= len(s.sst) {
					return "", fmt.Errorf("row %d: shared string %q out of range", s.row, v)
				}
				return s.sst[i], nil
			case "inlineStr":
				return inline.String(), nil
			}
			return v, nil
		case "v":
			if !selfClose {
				if v, err = s.text("v"); err != nil {
					return "", err
				}
			}
		case "t":
			if !selfClose {
				t, err := s.text("t")
				if err != nil {
					return "", err
				}
				if phonetic == 0 {
					inline.WriteString(t)
				}
			}
		case "rPh":
			if !selfClose {
				phonetic++
			}
		case "/rPh":
			phonetic--
		case "f":
			if !selfClose {
				if _, err := s.text("f"); err != nil {
					return "", err
				}
			}
		}
	}
}

// text reads character data up to the end tag of name, unescaped.
func (s *sheetScanner) text(name string) (string, error) {
	raw, err := s.r.ReadSlice('<')
	if err != nil {
		return "", s.eof(err)
	}
	// The slice points into the reader's buffer: decode before reading on.
	text, uerr := unescape(raw[:len(raw)-1])
	if err := s.r.UnreadByte(); err != nil {
		return "", err
	}
	if end, _, _, err := s.tag(); err != nil || end != "/"+name {
		if err == nil {
			err = fmt.Errorf("row %d: <%s> holds markup", s.row, name)
		}
		return "", err
	}
	return text, uerr
}

// tag skips to the next tag and returns its local name ("/row" for an end
// tag), its raw attributes and whether it closes itself.
func (s *sheetScanner) tag() (string, []byte, bool, error) {
	for {
		if _, err := s.r.ReadSlice('<'); err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return "", nil, false, s.eof(err)
		} else if err != nil {
			continue
		}
		head, err := s.r.Peek(1)
		if err != nil {
			return "", nil, false, s.eof(err)
		}
		if head[0] == '?' || head[0] == '!' {
			if err := s.skipSpecial(); err != nil {
				return "", nil, false, err
			}
			continue
		}
		raw, err := s.r.ReadSlice('>')
		if err != nil {
			return "", nil, false, fmt.Errorf("row %d: tag too long or cut: %w", s.row, s.eof(err))
		}
		raw = raw[:len(raw)-1]
		self := len(raw) > 0 && raw[len(raw)-1] == '/'
		if self {
			raw = raw[:len(raw)-1]
		}
		end := bytes.IndexAny(raw, " \t\r\n")
		name, attrs := raw, []byte(nil)
		if end >= 0 {
			name, attrs = raw[:end], raw[end:]
		}
		return stripPrefix(string(name)), attrs, self, nil
	}
}

// skipSpecial skips <?…?>, <!--…--> and <![CDATA[…]]> outside text.
func (s *sheetScanner) skipSpecial() error {
	head, _ := s.r.Peek(3)
	term := []byte(">")
	if bytes.HasPrefix(head, []byte("!--")) {
		term = []byte("-->")
	} else if bytes.HasPrefix(head, []byte("![C")) {
		term = []byte("]]>")
	}
	var tail []byte
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			return s.eof(err)
		}
		tail = append(tail, c)
		if len(tail) > len(term) {
			tail = tail[1:]
		}
		if bytes.Equal(tail, term) {
			return nil
		}
	}
}

func (s *sheetScanner) eof(err error) error {
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	return err
}

// stripPrefix drops a namespace prefix (x:row → row, /x:row → /row).
func stripPrefix(name string) string {
	if i := strings.IndexByte(name, ':'); i >= 0 {
		if strings.HasPrefix(name, "/") {
			return "/" + name[i+1:]
		}
		return name[i+1:]
	}
	return name
}

// attr finds name="value" in raw attributes (single or double quotes).
func attr(attrs []byte, name string) string {
	for len(attrs) > 0 {
		attrs = bytes.TrimLeft(attrs, " \t\r\n")
		eq := bytes.IndexByte(attrs, '=')
		if eq < 0 || eq+1 >= len(attrs) {
			return ""
		}
		key := string(bytes.TrimSpace(attrs[:eq]))
		q := attrs[eq+1]
		if q != '"' && q != '\'' {
			return ""
		}
		end := bytes.IndexByte(attrs[eq+2:], q)
		if end < 0 {
			return ""
		}
		val := attrs[eq+2 : eq+2+end]
		if key == name {
			v, _ := unescape(val)
			return v
		}
		attrs = attrs[eq+2+end+1:]
	}
	return ""
}

// colOfRef is the column number of a cell reference ("C12" → 3).
func colOfRef(ref string) int {
	n := 0
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		switch {
		case c >= 'A' && c <= 'Z':
			n = n*26 + int(c-'A') + 1
		case c >= 'a' && c <= 'z':
			n = n*26 + int(c-'a') + 1
		default:
			return n
		}
		if n > 16384 {
			return 0
		}
	}
	return n
}

// unescape resolves XML entities and character references.
func unescape(b []byte) (string, error) {
	if bytes.IndexByte(b, '&') < 0 {
		return string(b), nil
	}
	var out strings.Builder
	for len(b) > 0 {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			out.Write(b)
			break
		}
		out.Write(b[:i])
		b = b[i:]
		semi := bytes.IndexByte(b, ';')
		if semi < 0 || semi > 12 {
			return "", errors.New("bad entity")
		}
		ent := string(b[1:semi])
		switch ent {
		case "lt":
			out.WriteByte('<')
		case "gt":
			out.WriteByte('>')
		case "amp":
			out.WriteByte('&')
		case "quot":
			out.WriteByte('"')
		case "apos":
			out.WriteByte('\'')
		default:
			if !strings.HasPrefix(ent, "#") {
				return "", fmt.Errorf("unknown entity &%s;", ent)
			}
			base, digits := 10, ent[1:]
			if strings.HasPrefix(digits, "x") || strings.HasPrefix(digits, "X") {
				base, digits = 16, digits[1:]
			}
			n, err := strconv.ParseUint(digits, base, 32)
			if err != nil {
				return "", err
			}
			out.WriteRune(rune(n))
		}
		b = b[semi+1:]
	}
	return out.String(), nil
}
