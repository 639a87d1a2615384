package importer

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Field is one column visitbot understands for a kind. Name is the English
// field name (also the JSON key of the ingest API and the mapping target);
// Header is the Chinese column header templates use; Aliases are further
// accepted headers, compared case-insensitively.
type Field struct {
	Name     string
	Header   string
	Aliases  []string
	Required bool
	// Help says what a value looks like, for templates and docs.
	Help string
}

// RowError is one bad value: the row (spreadsheet row number, header = 1, or
// the item index of an ingest request), the column as the source named it,
// the visitbot field, the value and why it was refused.
type RowError struct {
	Row    int    `json:"row"`
	Column string `json:"column,omitempty"`
	Field  string `json:"field,omitempty"`
	Value  string `json:"value,omitempty"`
	Reason string `json:"reason"`
}

// String is the English one-line form the CLI prints.
func (e RowError) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "row %d", e.Row)
	if e.Column != "" {
		fmt.Fprintf(&b, ", column %q", e.Column)
		if e.Field != "" && e.Field != e.Column {
			fmt.Fprintf(&b, " (%s)", e.Field)
		}
	} else if e.Field != "" {
		fmt.Fprintf(&b, ", field %s", e.Field)
	}
	if e.Value != "" {
		fmt.Fprintf(&b, ", value %q", clip(e.Value, 60))
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
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
		if !seen[v] {
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
	row  Row
	env  *runEnv
	errs []RowError
}

// raw is the trimmed value of field after the mapping's value labels.
func (r *rowReader) raw(field string) string {
	v := strings.TrimSpace(r.row.Values[field])
	if m := r.env.mapping; m != nil {
		if to, ok := m.value(field, v); ok {
			return to
		}
	}
	return v
}

func (r *rowReader) fail(field, value, format string, args ...any) {
	r.errs = append(r.errs, RowError{Row: r.row.Num, Column: r.env.column(field), Field: field,
		Value: value, Reason: fmt.Sprintf(format, args...)})
}

func (r *rowReader) required(field, v string) bool {
	if v == "" {
		r.fail(field, "", "is required")
		return false
	}
	return true
}

// str reads free text of at most maxRunes characters.
func (r *rowReader) str(field string, maxRunes int, required bool) string {
	v := r.raw(field)
	if v == "" {
		if required {
			r.required(field, v)
		}
		return ""
	}
	if n := utf8.RuneCountInString(v); n > maxRunes {
		r.fail(field, v, "is %d characters long; at most %d allowed", n, maxRunes)
		return ""
	}
	return v
}

// id reads an external id: at most maxLen characters, no spaces.
func (r *rowReader) id(field string, maxLen int, required bool) string {
	v := r.str(field, maxLen, required)
	if strings.ContainsAny(v, " \t\r\n") {
		r.fail(field, v, "must not contain spaces")
		return ""
	}
	return v
}

// num reads a number in [lo, hi]; empty gives def (or an error if required).
func (r *rowReader) num(field string, required bool, lo, hi, def float64) float64 {
	v := strings.ReplaceAll(r.raw(field), ",", "")
	if v == "" {
		if required {
			r.required(field, v)
		}
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		r.fail(field, v, "is not a number")
		return def
	}
	if f < lo || f > hi {
		r.fail(field, v, "must be between %s and %s", fmtNum(lo), fmtNum(hi))
		return def
	}
	return f
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

var boolLabels = newLabels(
	"是", "true", "否", "false", "y", "true", "n", "false", "yes", "true", "no", "false",
	"1", "true", "0", "false", "t", "true", "f", "false", "√", "true", "×", "false", "有", "true", "无", "false",
)

// boolean reads yes/no (是/否, true/false, 1/0, Y/N); empty gives def.
func (r *rowReader) boolean(field string, def bool) bool {
	v := r.raw(field)
	if v == "" {
		return def
	}
	c, ok := boolLabels[strings.ToLower(v)]
	if !ok {
		r.fail(field, v, "must be yes or no (是/否, true/false, 1/0)")
		return def
	}
	return c == "true"
}

// choice reads one of a closed set of values, accepting the labels in l.
func (r *rowReader) choice(field string, l labels, required bool) string {
	v := r.raw(field)
	if v == "" {
		if required {
			r.required(field, v)
		}
		return ""
	}
	c, ok := l[strings.ToLower(v)]
	if !ok {
		r.fail(field, v, "is not one of %s (or map it in the mapping file)", l.canonical())
		return ""
	}
	return c
}

// dayLayouts are the calendar-day spellings Chinese spreadsheets produce;
// "01-02-06" is how excelize renders Excel's built-in date format 14.
var dayLayouts = []string{"2006-01-02", "2006/1/2", "2006-1-2", "2006.1.2", "2006年1月2日", "20060102", "01-02-06"}

// timeLayouts are accepted for instants without a zone (business time zone).
var timeLayouts = []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006/1/2 15:04:05", "2006/1/2 15:04", "2006-01-02T15:04:05"}

// excelSerial converts an Excel date serial (days since 1899-12-30) to a time in loc.
func excelSerial(v string, loc *time.Location) (time.Time, bool) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 1 || f > 2958465 {
		return time.Time{}, false
	}
	days := math.Floor(f)
	secs := math.Round((f - days) * 86400)
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, loc)
	return base.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second), true
}

func parseDay(v string, loc *time.Location) (time.Time, bool) {
	for _, l := range dayLayouts {
		if t, err := time.ParseInLocation(l, v, loc); err == nil {
			return t, true
		}
	}
	if len(v) <= 8 && !strings.ContainsAny(v, "-/.") {
		return excelSerial(v, loc)
	}
	return time.Time{}, false
}

// day reads a calendar day as "2006-01-02".
func (r *rowReader) day(field string, required bool) string {
	v := r.raw(field)
	if v == "" {
		if required {
			r.required(field, v)
		}
		return ""
	}
	t, ok := parseDay(v, r.env.loc)
	if !ok {
		r.fail(field, v, "is not a date (expected 2026-05-01)")
		return ""
	}
	return t.Format("2006-01-02")
}

var monthLayouts = []string{"2006-01", "2006/1", "2006-1", "2006年1月", "200601", "2006.1"}

// month reads a month as "2006-01"; a full date is accepted and truncated.
func (r *rowReader) month(field string, required bool) string {
	v := r.raw(field)
	if v == "" {
		if required {
			r.required(field, v)
		}
		return ""
	}
	for _, l := range monthLayouts {
		if t, err := time.ParseInLocation(l, v, r.env.loc); err == nil {
			return t.Format("2006-01")
		}
	}
	if t, ok := parseDay(v, r.env.loc); ok {
		return t.Format("2006-01")
	}
	r.fail(field, v, "is not a month (expected 2026-05)")
	return ""
}

// instant reads a date or date-time (RFC 3339, or local time in the business
// zone), truncated to the second so a re-import compares equal on every database.
func (r *rowReader) instant(field string, required bool) time.Time {
	v := r.raw(field)
	if v == "" {
		if required {
			r.required(field, v)
		}
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC().Truncate(time.Second)
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, v, r.env.loc); err == nil {
			return t.UTC()
		}
	}
	if t, ok := parseDay(v, r.env.loc); ok {
		return t.UTC().Truncate(time.Second)
	}
	if t, ok := excelSerial(v, r.env.loc); ok {
		return t.UTC()
	}
	r.fail(field, v, "is not a date or time (expected 2026-05-01 or 2026-05-01 14:30)")
	return time.Time{}
}
