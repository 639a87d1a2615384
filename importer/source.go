package importer

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// MaxFileBytes bounds an import file read into memory (about 2 million signal rows as CSV).
const MaxFileBytes = 256 << 20

// ReadFile decodes an .xlsx or .csv file as kind, applying m's column names.
func ReadFile(path, kind string, m *Mapping) (Input, error) {
	f, err := os.Open(path)
	if err != nil {
		return Input{}, err
	}
	defer f.Close()
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".txt":
		return ReadCSV(f, kind, m)
	case ".xlsx", ".xlsm":
		return ReadXLSX(f, kind, m)
	case ".xls":
		return Input{}, errors.New("legacy .xls is not supported: save the sheet as .xlsx or .csv")
	}
	return Input{}, fmt.Errorf("unsupported file type %q: use .xlsx or .csv", filepath.Ext(path))
}

// DecodeText returns the text of a CSV export as UTF-8: valid UTF-8 (with or
// without a BOM) is kept, anything else is decoded as GB18030, the superset
// of GBK that Chinese Excel writes.
func DecodeText(data []byte) ([]byte, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return data, nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		return nil, fmt.Errorf("file is neither UTF-8 nor GBK: %w", err)
	}
	return out, nil
}

// ReadCSV decodes a CSV file (UTF-8 or GBK; comma, or tab when the header has
// no comma) as kind.
func ReadCSV(r io.Reader, kind string, m *Mapping) (Input, error) {
	k, err := lookupKind(kind)
	if err != nil {
		return Input{}, err
	}
	raw, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return Input{}, fmt.Errorf("read csv: %w", err)
	}
	if len(raw) > MaxFileBytes {
		return Input{}, fmt.Errorf("file larger than %d MiB: split it", MaxFileBytes>>20)
	}
	text, err := DecodeText(raw)
	if err != nil {
		return Input{}, err
	}
	cr := csv.NewReader(bytes.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = false
	if first, _, _ := bytes.Cut(text, []byte("\n")); !bytes.Contains(first, []byte(",")) && bytes.Contains(first, []byte("\t")) {
		cr.Comma = '\t'
	}
	return buildInput(k, m, func() ([]string, int, error) {
		rec, err := cr.Read()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, pe.Line, fmt.Errorf("csv line %d: %w", pe.Line, pe.Err)
			}
			return nil, 0, err
		}
		line, _ := cr.FieldPos(0)
		return rec, line, nil
	})
}

// ReadXLSX decodes the first sheet of an .xlsx workbook as kind. Cells are
// read raw, without number formats: ids and phone numbers never turn into
// "1.38E+10" or "1,200", and dates arrive as Excel serials, which the date
// fields accept.
func ReadXLSX(r io.Reader, kind string, m *Mapping) (Input, error) {
	k, err := lookupKind(kind)
	if err != nil {
		return Input{}, err
	}
	f, err := excelize.OpenReader(io.LimitReader(r, MaxFileBytes))
	if err != nil {
		return Input{}, fmt.Errorf("read xlsx: %w", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return Input{}, errors.New("xlsx has no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return Input{}, fmt.Errorf("read sheet %s: %w", sheets[0], err)
	}
	defer rows.Close()
	n := 0
	return buildInput(k, m, func() ([]string, int, error) {
		if !rows.Next() {
			if err := rows.Error(); err != nil {
				return nil, 0, err
			}
			return nil, 0, io.EOF
		}
		n++
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		return cols, n, err
	})
}

// buildInput maps the header (the first non-blank row) to fields and turns
// every following non-blank row into a Row numbered as the source numbers it.
func buildInput(k kind, m *Mapping, next func() ([]string, int, error)) (Input, error) {
	var in Input
	var fieldAt []string
	for {
		cells, num, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return in, err
		}
		if blank(cells) {
			continue
		}
		if fieldAt == nil {
			fieldAt = mapHeader(k, m, cells, num, &in)
			continue
		}
		vals := make(map[string]string, len(in.Columns))
		for i, c := range cells {
			if i < len(fieldAt) && fieldAt[i] != "" {
				vals[fieldAt[i]] = c
			}
		}
		in.Rows = append(in.Rows, Row{Num: num, Values: vals})
	}
	if fieldAt == nil {
		in.Errors = append(in.Errors, RowError{Row: 1, Reason: "the file is empty: expected a header row"})
	}
	return in, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// mapHeader resolves each header cell to a field: the mapping's columns
// first, then the field's name, Chinese header and aliases. It records
// duplicate and missing required columns as input errors.
func mapHeader(k kind, m *Mapping, header []string, row int, in *Input) []string {
	byLabel := map[string]string{}
	for _, f := range k.fields() {
		for _, l := range append([]string{f.Name, f.Header}, f.Aliases...) {
			byLabel[normHeader(l)] = f.Name
		}
	}
	in.Columns = map[string]string{}
	fieldAt := make([]string, len(header))
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if h == "" {
			continue
		}
		field, ok := m.column(h)
		if !ok {
			field, ok = byLabel[normHeader(h)]
		}
		if !ok {
			in.Ignored = append(in.Ignored, h)
			continue
		}
		if prev, dup := in.Columns[field]; dup {
			in.Errors = append(in.Errors, RowError{Row: row, Column: h, Field: field,
				Reason: fmt.Sprintf("column %q also maps to field %s; keep one", prev, field)})
			continue
		}
		in.Columns[field] = h
		fieldAt[i] = field
	}
	for _, f := range k.fields() {
		if _, ok := in.Columns[f.Name]; f.Required && !ok {
			in.Errors = append(in.Errors, RowError{Row: row, Field: f.Name,
				Reason: fmt.Sprintf("missing required column %s (header %s, or map your column to %s in the mapping file)", f.Name, strings.Join(append([]string{f.Header}, f.Aliases...), " / "), f.Name)})
		}
	}
	return fieldAt
}

// FromJSON turns the items of an ingest request into rows of kind. Keys are
// field names; values are strings, numbers, booleans or null. Unknown keys
// and other value types are item errors. Row numbers are item indexes.
func FromJSON(kind string, items []map[string]any) (Input, error) {
	k, err := lookupKind(kind)
	if err != nil {
		return Input{}, err
	}
	known := map[string]bool{}
	in := Input{Columns: map[string]string{}}
	for _, f := range k.fields() {
		known[f.Name] = true
		in.Columns[f.Name] = f.Name
	}
	for i, item := range items {
		vals := make(map[string]string, len(item))
		for key, v := range item {
			if !known[key] {
				in.itemErrs = append(in.itemErrs, RowError{Row: i, Field: key, Reason: "unknown field (fields: " + fieldNames(k) + ")"})
				continue
			}
			s, ok := jsonText(v)
			if !ok {
				in.itemErrs = append(in.itemErrs, RowError{Row: i, Field: key, Reason: "must be a string, number, boolean or null"})
				continue
			}
			vals[key] = s
		}
		in.Rows = append(in.Rows, Row{Num: i, Values: vals})
	}
	return in, nil
}

func jsonText(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}
