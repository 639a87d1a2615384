package importer

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field is one column visitbot understands for a kind. Name is the English
// field name (also the JSON key of the ingest API and the mapping target);
// Header is the Chinese column header templates use; Aliases are further
// accepted headers, compared ignoring case, spaces and full-width forms.
type Field struct {
	Name     string
	Header   string
	Aliases  []string
	Required bool
	// Help says what a value looks like, for templates and docs.
	Help string
	// orField satisfies Required when present instead (users: employee_no
	// stands in for user_id).
	orField string
	// choices are the accepted labels of a closed set, used to check the
	// targets of a mapping's values and defaults; nil = free text.
	choices labels
	// isBool marks yes/no fields (checked against boolLabels).
	isBool bool
	// userRef marks a reference to a user (manager_id, rep_id), which a
	// mapping's refs may pin to one kind of id.
	userRef bool
}

// RowError is one problem with a value: the file (in a bundle), the row
// (spreadsheet row number with the header's own number, or the item index of
// an ingest request), the column as the source named it, the visitbot field,
// the value, a stable English Key and the English Reason. Message renders it
// in the admins' language.
type RowError struct {
	File   string `json:"file,omitempty"`
	Row    int    `json:"row"`
	Column string `json:"column,omitempty"`
	Field  string `json:"field,omitempty"`
	Value  string `json:"value,omitempty"`
	Key    string `json:"key"`
	Reason string `json:"reason"`
	args   []string
}

func newRowError(row int, column, field, value, key string, args ...string) RowError {
	return RowError{Row: row, Column: column, Field: field, Value: value, Key: key,
		Reason: render(key, args, LangEN, false), args: args}
}

// Message is the reason in lang.
func (e RowError) Message(lang Lang) string {
	if _, ok := messages[e.Key]; !ok {
		return e.Reason
	}
	return render(e.Key, e.args, lang, false)
}

// String is the English one-line form.
func (e RowError) String() string { return e.Line(LangEN) }

// Line is the one-line form in lang, with the English key in brackets.
func (e RowError) Line(lang Lang) string {
	w := wordingFor(lang)
	var b strings.Builder
	if lang != LangZH || e.Row > 0 || e.Column == "" {
		fmt.Fprintf(&b, w.row, e.Row)
	}
	if e.Column != "" {
		if b.Len() > 0 {
			b.WriteString(w.sep)
		}
		w.writeColumn(&b, e.Column, e.Field)
	} else if e.Field != "" {
		fmt.Fprintf(&b, w.fieldOnly, e.Field)
	}
	if e.Value != "" {
		fmt.Fprintf(&b, w.value, clip(e.Value, 60))
	}
	if lang == LangZH {
		fmt.Fprintf(&b, "：%s [%s]", e.Message(lang), e.Key)
		return b.String()
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// wording is the fixed text of one language's error lines and groups.
type wording struct {
	row       string // the row number
	sep       string // between the parts of a line
	column    string // the column as the source named it
	field     string // the visitbot field after its column, when they differ
	fieldOnly string // the field of an error with no column
	value     string // the value
	columnEnd string // after the column of a group
	example   string // a group's message, key and example rows
	list      string // between the items of a list
	values    string // a group's example values
	close     string // the end of a group
}

// wordingFor is the wording of lang; any language but Chinese reads English.
func wordingFor(lang Lang) wording {
	if lang == LangZH {
		return wording{row: "第%d行", sep: "，", column: "列「%s」", field: "(%s)", fieldOnly: "，字段 %s", value: "，值「%s」",
			columnEnd: " ", example: "%s [%s]（如第%s行", list: "、", values: "：%s", close: "）"}
	}
	return wording{row: "row %d", sep: ", ", column: "column %q", field: " (%s)", fieldOnly: ", field %s", value: ", value %q",
		columnEnd: ": ", example: "%s [%s] (e.g. row %s", list: ", ", values: ": %s", close: ")"}
}

// writeColumn writes the column and, when it differs, the field after it.
func (w wording) writeColumn(b *strings.Builder, column, field string) {
	fmt.Fprintf(b, w.column, column)
	if field != "" && field != column {
		fmt.Fprintf(b, w.field, field)
	}
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// labels maps accepted spellings (lower-cased) to a canonical value.
type labels map[string]string

func newLabels(pairs ...string) labels {
	l := labels{}
	for i := 0; i+1 < len(pairs); i += 2 {
		l[strings.ToLower(pairs[i])] = pairs[i+1]
	}
	for _, v := range l {
		l[strings.ToLower(v)] = v
	}
	return l
}

// canonical lists the distinct canonical values, for error messages.
func (l labels) canonical() string {
	seen := map[string]bool{}
	var out []string
	for _, v := range l {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

// rowReader reads typed values of one row and collects every problem, so a
// row reports all its bad columns at once.
type rowReader struct {
	row  *row
	env  *runEnv
	errs []RowError
}

// cell is the cleaned text of field in this row, or the mapping's default
// when the cell is empty or the file has no such column.
func (r *rowReader) cell(field string) string {
	h := r.env.hdr
	i, ok := h.kind.index[field]
	if !ok {
		return ""
	}
	v := ""
	if c := h.colOf[i]; c >= 0 && c < len(r.row.cells) {
		v = clean(r.row.cells[c])
	}
	if v == "" {
		v = h.defaults[i]
	}
	return v
}

// raw is the value of field after the mapping's value labels.
func (r *rowReader) raw(field string) string {
	v := r.cell(field)
	if v == "" {
		return ""
	}
	if to, ok := r.env.mapping.value(field, v); ok {
		return to
	}
	return v
}

// code is raw with full-width ASCII folded (Ｈ００１ → H001), for ids,
// numbers, dates and choices typed with a Chinese input method.
func (r *rowReader) code(field string) string { return foldWidth(r.raw(field)) }

func (r *rowReader) fail(field, value, key string, args ...string) {
	r.errs = append(r.errs, newRowError(r.row.num, r.env.hdr.column(field), field, value, key, args...))
}

// missing reports whether the value v of field is empty, failing the row
// when the field is required.
func (r *rowReader) missing(field, v string, required bool) bool {
	if v != "" {
		return false
	}
	if required {
		r.fail(field, "", keyRequired)
	}
	return true
}

// str reads free text of at most maxRunes characters.
func (r *rowReader) str(field string, maxRunes int, required bool) string {
	v := r.raw(field)
	if r.missing(field, v, required) {
		return ""
	}
	if n := utf8.RuneCountInString(v); n > maxRunes {
		r.fail(field, v, keyTooLong, strconv.Itoa(n), strconv.Itoa(maxRunes))
		return ""
	}
	return v
}

// id reads an external id: at most maxLen characters, no spaces.
func (r *rowReader) id(field string, maxLen int, required bool) string {
	v := foldWidth(r.str(field, maxLen, required))
	if strings.ContainsFunc(v, unicode.IsSpace) {
		r.fail(field, v, keySpaces)
		return ""
	}
	return v
}

// choice reads one of a closed set of values, accepting the labels in l.
func (r *rowReader) choice(field string, l labels, required bool) string {
	v := r.code(field)
	if r.missing(field, v, required) {
		return ""
	}
	c, ok := l[strings.ToLower(v)]
	if !ok {
		r.fail(field, v, keyNotOneOf, l.canonical())
		return ""
	}
	return c
}

var boolLabels = newLabels(
	"是", "true", "否", "false", "y", "true", "n", "false", "yes", "true", "no", "false",
	"1", "true", "0", "false", "t", "true", "f", "false", "√", "true", "×", "false", "有", "true", "无", "false",
	"是的", "true", "对", "true", "x", "false", "✓", "true", "✔", "true", "✗", "false", "-", "false",
)

// boolean reads yes/no (是/否, true/false, 1/0, Y/N); empty gives def.
func (r *rowReader) boolean(field string, def bool) bool {
	v := r.code(field)
	if v == "" {
		return def
	}
	c, ok := boolLabels[strings.ToLower(v)]
	if !ok {
		r.fail(field, v, keyNotBool)
		return def
	}
	return c == "true"
}

// list reads a separated list (, ， 、 ; ；| /), relabelling each token by
// the mapping's values, then by the known labels, as "a,b".
func (r *rowReader) list(field string, l labels, maxLen int) string {
	v := r.cell(field)
	if v == "" {
		return ""
	}
	parts := strings.FieldsFunc(v, func(c rune) bool { return strings.ContainsRune(",，、;；|/", c) })
	var out []string
	for _, p := range parts {
		p = clean(p)
		if p == "" {
			continue
		}
		if to, ok := r.env.mapping.value(field, p); ok {
			p = to
		} else if c, ok := l[strings.ToLower(p)]; ok {
			p = c
		}
		if p != "" {
			out = append(out, p)
		}
	}
	joined := strings.Join(out, ",")
	if len(joined) > maxLen {
		r.fail(field, v, keyListTooLong, strconv.Itoa(maxLen))
		return ""
	}
	return joined
}

// clean trims spaces (also U+3000 and no-break spaces) and the zero-width
// characters and BOMs that copy-paste leaves in exported cells.
func clean(s string) string {
	if s == "" {
		return s
	}
	return strings.TrimFunc(s, func(c rune) bool {
		return unicode.IsSpace(c) || c == '\u200b' || c == '\ufeff' || c == '\u200e' || c == '\u200f'
	})
}

// foldWidth maps full-width ASCII (U+FF01–U+FF5E) and the ideographic space
// to their ASCII forms; other text is returned as is.
func foldWidth(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	return strings.Map(func(c rune) rune {
		switch {
		case c >= 0xFF01 && c <= 0xFF5E:
			return c - 0xFEE0
		case c == '\u3000':
			return ' '
		}
		return c
	}, s)
}
