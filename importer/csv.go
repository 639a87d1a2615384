package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// ErrEncoding means a CSV file is in no encoding visitbot reads: not UTF-8
// (with or without BOM), not UTF-16 with a BOM, not GBK/GB18030.
var ErrEncoding = errors.New("the file is neither UTF-8 nor GBK/GB18030: save it as CSV UTF-8 (逗号分隔) or CSV (GBK) from Excel")

// csvEncoding is what a CSV file turned out to be.
type csvEncoding int

const (
	encUTF8 csvEncoding = iota
	encUTF16
	encGB18030
)

// sniff reads the file once: its signature (BOM, or a zip/OLE file with the
// wrong extension) and, without a BOM, whether every byte is valid UTF-8.
func sniff(open opener) (csvEncoding, encoding.Encoding, error) {
	rc, err := open()
	if err != nil {
		return 0, nil, err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64<<10)
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return 0, nil, errors.New("this is an .xlsx workbook (a zip file), not CSV: keep the .xlsx extension")
	case bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0")):
		return 0, nil, errors.New("this is a legacy .xls workbook, not CSV: save it as .xlsx or CSV")
	case bytes.HasPrefix(head, []byte("\xff\xfe")):
		return encUTF16, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), nil
	case bytes.HasPrefix(head, []byte("\xfe\xff")):
		return encUTF16, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), nil
	}
	bom := bytes.HasPrefix(head, []byte("\xef\xbb\xbf"))
	line, err := firstInvalidUTF8(br)
	switch {
	case err != nil:
		return 0, nil, err
	case line == 0:
		return encUTF8, nil, nil
	case bom:
		return 0, nil, fmt.Errorf("line %d is not valid UTF-8 although the file starts with a UTF-8 BOM: %w", line, ErrEncoding)
	}
	if err := roundTrips(open, simplifiedchinese.GB18030); err != nil {
		return 0, nil, err
	}
	return encGB18030, simplifiedchinese.GB18030, nil
}

// roundTrips checks that the file is text in enc: decoding it and encoding
// the result again gives back every byte. Bytes the decoder cannot read
// become U+FFFD, which encodes differently, so a file in yet another
// encoding (or binary) fails here, at the line of the first difference,
// before a row is read.
func roundTrips(open opener, enc encoding.Encoding) error {
	orig, err := open()
	if err != nil {
		return err
	}
	defer orig.Close()
	src, err := open()
	if err != nil {
		return err
	}
	defer src.Close()
	again := transform.NewReader(src, transform.Chain(enc.NewDecoder(), enc.NewEncoder()))
	a, b := bufio.NewReaderSize(orig, 64<<10), bufio.NewReaderSize(again, 64<<10)
	line := 1
	for {
		x, errA := a.ReadByte()
		y, errB := b.ReadByte()
		switch {
		case errA != nil && errB != nil:
			if errors.Is(errA, io.EOF) && errors.Is(errB, io.EOF) {
				return nil
			}
			if !errors.Is(errA, io.EOF) {
				return errA
			}
			return fmt.Errorf("line %d: %w", line, ErrEncoding)
		case errA != nil || errB != nil || x != y:
			if errA != nil && !errors.Is(errA, io.EOF) {
				return errA
			}
			return fmt.Errorf("line %d: %w", line, ErrEncoding)
		}
		if x == '\n' {
			line++
		}
	}
}

// firstInvalidUTF8 is the line of the first invalid UTF-8 sequence (0 = none).
func firstInvalidUTF8(r io.Reader) (int, error) {
	buf := make([]byte, 64<<10)
	carry, line := 0, 1
	for {
		n, err := io.ReadFull(r, buf[carry:])
		n += carry
		eof := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !eof {
			return 0, err
		}
		end := n
		if !eof {
			// Keep a rune cut by the buffer's end for the next round.
			i := end - 1
			for i > 0 && end-i < utf8.UTFMax && !utf8.RuneStart(buf[i]) {
				i--
			}
			if i >= 0 && !utf8.FullRune(buf[i:end]) {
				end = i
			}
		}
		chunk := buf[:end]
		if !utf8.Valid(chunk) {
			for i := 0; i < len(chunk); {
				c, size := utf8.DecodeRune(chunk[i:])
				if c == utf8.RuneError && size <= 1 {
					return line, nil
				}
				if c == '\n' {
					line++
				}
				i += size
			}
		}
		line += bytes.Count(chunk, []byte("\n"))
		if eof {
			return 0, nil
		}
		carry = copy(buf, buf[end:n])
	}
}

// replacementCheck fails a decoded stream at the first U+FFFD, which the
// UTF-16 and GB18030 decoders write for bytes they cannot decode: a file in
// yet another encoding must be an error, not silently garbled names. A
// U+FFFD split across two reads is found too (tail keeps the last bytes).
type replacementCheck struct {
	r    io.Reader
	line int
	tail []byte
}

func (c *replacementCheck) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	seen := append(c.tail, p[:n]...)
	if i := bytes.Index(seen, []byte("\uFFFD")); i >= 0 {
		return 0, fmt.Errorf("line %d: %w", c.line+bytes.Count(seen[len(c.tail):max(i, len(c.tail))], []byte("\n")), ErrEncoding)
	}
	c.tail = append(c.tail[:0], seen[max(0, len(seen)-2):]...)
	if bytes.IndexByte(p[:n], 0) >= 0 {
		return 0, fmt.Errorf("line %d holds NUL bytes (UTF-16 without a BOM?): %w", c.line+bytes.Count(p[:n], []byte("\n")), ErrEncoding)
	}
	c.line += bytes.Count(p[:n], []byte("\n"))
	return n, err
}

// DecodeText returns the text of a CSV export as UTF-8: valid UTF-8 (with or
// without a BOM) is kept, UTF-16 with a BOM is converted, anything else is
// decoded as GB18030 (the superset of GBK that Chinese Excel writes); bytes
// that are none of these are ErrEncoding.
func DecodeText(data []byte) ([]byte, error) {
	open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	r, closeFn, err := decodedReader(open)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	return io.ReadAll(r)
}

// decodedReader opens the file as UTF-8 text, whatever its encoding.
func decodedReader(open opener) (io.Reader, func() error, error) {
	enc, dec, err := sniff(open)
	if err != nil {
		return nil, nil, err
	}
	rc, err := open()
	if err != nil {
		return nil, nil, err
	}
	var r io.Reader = bufio.NewReaderSize(rc, 64<<10)
	switch enc {
	case encUTF8:
		br := r.(*bufio.Reader)
		if head, _ := br.Peek(3); bytes.Equal(head, []byte("\xef\xbb\xbf")) {
			br.Discard(3)
		}
	case encUTF16:
		r = &replacementCheck{r: transform.NewReader(r, dec.NewDecoder()), line: 1}
	case encGB18030:
		r = &replacementCheck{r: transform.NewReader(r, dec.NewDecoder()), line: 1}
	}
	return r, rc.Close, nil
}

// readCSV streams a CSV file (UTF-8, UTF-16 or GBK; comma, tab or semicolon
// as the header line uses most) as rows of ki.
func readCSV(open opener, ki *kindInfo, m *Mapping) (*rowStream, error) {
	r, closeFn, err := decodedReader(open)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(64 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		closeFn()
		return nil, err
	}
	comma, skipped := delimiter(head), 0
	// Excel's "sep=;" first line names the separator.
	if line, _, _ := bytes.Cut(head, []byte("\n")); bytes.HasPrefix(line, []byte("sep=")) && len(bytes.TrimSpace(line)) == 5 {
		comma, skipped = rune(line[4]), 1
		br.ReadSlice('\n')
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = false // rows are handed to another goroutine
	cr.Comma = comma
	return tableRows(ki, m, func() ([]string, int, error) {
		rec, err := cr.Read()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, pe.Line + skipped, fmt.Errorf("csv line %d: %w", pe.Line+skipped, pe.Err)
			}
			return nil, 0, err
		}
		line, _ := cr.FieldPos(0)
		return rec, line + skipped, nil
	}, closeFn)
}

// delimiter picks the separator the first line uses most: comma (the
// default), tab (Excel's "Unicode text") or semicolon.
func delimiter(head []byte) rune {
	line, _, _ := bytes.Cut(head, []byte("\n"))
	best, n := ',', bytes.Count(line, []byte(","))
	for _, d := range []rune{'\t', ';'} {
		if c := bytes.Count(line, []byte(string(d))); c > n {
			best, n = d, c
		}
	}
	return best
}
