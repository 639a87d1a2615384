package importer

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// num reads a number in [lo, hi]; empty gives def (or an error if required).
// Thousands separators (1,200 and 1，200) and percentages (90% = 0.9) are
// accepted.
func (r *rowReader) num(field string, required bool, lo, hi, def float64) float64 {
	v := r.code(field)
	percent := false
	if p, ok := strings.CutSuffix(v, "%"); ok {
		v, percent = strings.TrimSpace(p), true
	}
	if strings.ContainsAny(v, ",， ") {
		v = strings.Map(func(c rune) rune {
			if c == ',' || c == '，' || c == ' ' {
				return -1
			}
			return c
		}, v)
	}
	if r.missing(field, v, required) {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		r.fail(field, v, keyNotNumber)
		return def
	}
	if percent {
		f /= 100
	}
	if f < lo || f > hi {
		r.fail(field, v, keyRange, fmtNum(lo), fmtNum(hi))
		return def
	}
	return f
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// coords reads an optional GCJ-02 point; both or neither must be given.
func (r *rowReader) coords(latField, lngField string) (float64, float64) {
	lat := r.num(latField, false, -90, 90, 0)
	lng := r.num(lngField, false, -180, 180, 0)
	if (r.raw(latField) == "") != (r.raw(lngField) == "") {
		r.fail(lngField, r.raw(lngField), keyCoords)
	}
	return lat, lng
}

// dayLayouts are the calendar-day spellings Chinese spreadsheets produce;
// "01-02-06" is how excelize renders Excel's built-in date format 14.
var dayLayouts = []string{"2006-01-02", "2006/1/2", "2006-1-2", "2006.1.2", "2006年1月2日", "20060102", "01-02-06", "2006_1_2"}

// timeLayouts are accepted for instants without a zone (business time zone).
var timeLayouts = []string{
	"2006-01-02 15:04:05", "2006-01-02 15:04", "2006/1/2 15:04:05", "2006/1/2 15:04", "2006-01-02T15:04:05",
	"2006-1-2 15:04:05", "2006-1-2 15:04", "2006.1.2 15:04:05", "2006.1.2 15:04", "2006年1月2日 15:04:05",
	"2006年1月2日 15:04", "2006年1月2日15:04", "2006-01-02 15:04:05.999999999", "2006/1/2 15:04:05.999999999",
}

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

// isSerial reports whether v looks like an Excel serial (digits, at most one
// dot) rather than a compact date such as 20260501.
func isSerial(v string) bool {
	whole, _, _ := strings.Cut(v, ".")
	if whole == "" || len(whole) > 7 {
		return false
	}
	return strings.Trim(v, "0123456789.") == "" && strings.Count(v, ".") <= 1
}

// quickTime parses the common spellings "2026-05-01", "2026/5/1 9:05" and
// "2026-05-01 14:30:00" (separators - / ., hour 1-2 digits) without the
// allocations of trying layout after layout: a history file has 100,000 of
// them. Anything else falls through to the layouts.
func quickTime(v string, loc *time.Location) (time.Time, bool) {
	i := 0
	num := func(min, max int) (int, bool) {
		n, start := 0, i
		for i < len(v) && v[i] >= '0' && v[i] <= '9' && i-start < max {
			n = n*10 + int(v[i]-'0')
			i++
		}
		return n, i-start >= min
	}
	sep := func(set string) bool {
		if i < len(v) && strings.IndexByte(set, v[i]) >= 0 {
			i++
			return true
		}
		return false
	}
	y, ok := num(4, 4)
	if !ok || i >= len(v) {
		return time.Time{}, false
	}
	s := v[i]
	if !sep("-/.") {
		return time.Time{}, false
	}
	mo, ok := num(1, 2)
	if !ok || i >= len(v) || v[i] != s {
		return time.Time{}, false
	}
	i++
	d, ok := num(1, 2)
	if !ok {
		return time.Time{}, false
	}
	h, mi, sec := 0, 0, 0
	if i < len(v) {
		if !sep(" T") {
			return time.Time{}, false
		}
		if h, ok = num(1, 2); !ok || !sep(":") {
			return time.Time{}, false
		}
		if mi, ok = num(2, 2); !ok {
			return time.Time{}, false
		}
		if sep(":") {
			if sec, ok = num(2, 2); !ok {
				return time.Time{}, false
			}
		}
		if i != len(v) {
			return time.Time{}, false
		}
	}
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, loc)
	if t.Day() != d {
		return time.Time{}, false // 2026-02-30 does not exist
	}
	return t, true
}

// parseDay reads a calendar day; a date-time ("2026/5/1 0:00", as Excel
// writes date cells to CSV) gives its day.
func parseDay(v string, loc *time.Location) (time.Time, bool) {
	if t, ok := quickTime(v, loc); ok {
		return t, true
	}
	for _, l := range dayLayouts {
		if t, err := time.ParseInLocation(l, v, loc); err == nil {
			return t, true
		}
	}
	if isSerial(v) {
		if t, ok := excelSerial(v, loc); ok {
			return t, true
		}
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, v, loc); err == nil {
			return t, true
		}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.In(loc), true
	}
	return time.Time{}, false
}

// day reads a calendar day as "2006-01-02".
func (r *rowReader) day(field string, required bool) string {
	v := r.code(field)
	if r.missing(field, v, required) {
		return ""
	}
	t, ok := parseDay(v, r.env.loc)
	if !ok {
		r.fail(field, v, keyNotDate)
		return ""
	}
	return t.Format("2006-01-02")
}

var monthLayouts = []string{"2006-01", "2006/1", "2006-1", "2006年1月", "200601", "2006.1", "2006年01月"}

// month reads a month as "2006-01"; a full date is accepted and truncated.
func (r *rowReader) month(field string, required bool) string {
	v := r.code(field)
	if r.missing(field, v, required) {
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
	r.fail(field, v, keyNotMonth)
	return ""
}

// instant reads a date or date-time (RFC 3339, or local time in the business
// zone, or an Excel serial), truncated to the second so a re-import compares
// equal on every database.
func (r *rowReader) instant(field string, required bool) time.Time {
	v := r.code(field)
	if r.missing(field, v, required) {
		return time.Time{}
	}
	t, ok := parseInstant(v, r.env.loc)
	if !ok {
		r.fail(field, v, keyNotTime)
		return time.Time{}
	}
	return t
}

func parseInstant(v string, loc *time.Location) (time.Time, bool) {
	if t, ok := quickTime(v, loc); ok {
		return t.UTC(), true
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC().Truncate(time.Second), true
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, v, loc); err == nil {
			return t.UTC().Truncate(time.Second), true
		}
	}
	for _, l := range dayLayouts {
		if t, err := time.ParseInLocation(l, v, loc); err == nil {
			return t.UTC(), true
		}
	}
	if isSerial(v) {
		if t, ok := excelSerial(v, loc); ok {
			return t.UTC().Truncate(time.Second), true
		}
	}
	return time.Time{}, false
}
