package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// row is one data row: its cells in source order and its number as the
// source numbers it (spreadsheet row, or item index).
type row struct {
	num   int
	cells []string
}

// rowStream is an opened input: its header and the data rows after it.
type rowStream struct {
	hdr *header
	// itemErrs are problems of single items found while decoding (unknown
	// JSON keys): reported with the value errors, they reject the input
	// even with Partial.
	itemErrs []RowError
	// next returns the next non-blank data row, nil at the end.
	next  func() (*row, error)
	close func() error
}

// Input is one source of rows for a kind: a file (read as it is imported, so
// memory stays flat in its size) or the items of an ingest request. A file
// is opened again if the store retries the import's transaction.
type Input struct {
	kind string
	// name is the file name for reports ("" for an ingest request).
	name    string
	mapping *Mapping
	open    func() (*rowStream, error)
}

// Name is the file name of the input ("" for an ingest batch).
func (in Input) Name() string { return in.name }

// Kind is the kind the input is read as.
func (in Input) Kind() string { return in.kind }

// opener opens the bytes of a file; it is called once per read pass.
type opener func() (io.ReadCloser, error)

// OpenFile prepares an .xlsx or .csv file to be imported as kind with m's
// columns and labels (nil = the kind's own headers). The file is read by
// Import; here only its type and existence are checked.
func OpenFile(path, kind string, m *Mapping) (Input, error) {
	if _, err := os.Stat(path); err != nil {
		return Input{}, err
	}
	return openNamed(filepath.Base(path), kind, m, func() (io.ReadCloser, error) { return os.Open(path) })
}

// OpenFS prepares the file name of fsys (a bundle directory or an uploaded
// zip) to be imported as kind.
func OpenFS(fsys fs.FS, name, kind string, m *Mapping) (Input, error) {
	if _, err := fs.Stat(fsys, name); err != nil {
		return Input{}, err
	}
	return openNamed(path.Base(name), kind, m, func() (io.ReadCloser, error) { return fsys.Open(name) })
}

// OpenBytes prepares an uploaded file held in memory.
func OpenBytes(name string, data []byte, kind string, m *Mapping) (Input, error) {
	return openNamed(name, kind, m, func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(string(data))), nil })
}

func openNamed(name, kind string, m *Mapping, open opener) (Input, error) {
	k, err := lookupKind(kind)
	if err != nil {
		return Input{}, err
	}
	var read func(opener, *kindInfo, *Mapping) (*rowStream, error)
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".txt", ".tsv":
		read = readCSV
	case ".xlsx", ".xlsm":
		read = readXLSX
	case ".xls":
		return Input{}, fmt.Errorf("%s: legacy .xls is not supported: save the sheet as .xlsx or .csv (另存为 .xlsx 或 CSV)", name)
	default:
		return Input{}, fmt.Errorf("%s: unsupported file type %q: use .xlsx or .csv", name, filepath.Ext(name))
	}
	return Input{kind: k.name(), name: name, mapping: m, open: func() (*rowStream, error) {
		st, err := read(open, k.info(), m)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return st, nil
	}}, nil
}

// FromJSON turns the items of an ingest request into rows of kind. Keys are
// field names; values are strings, numbers, booleans or null. Unknown keys
// and other value types are item errors. Row numbers are item indexes.
func FromJSON(kind string, items []map[string]any) (Input, error) {
	k, err := lookupKind(kind)
	if err != nil {
		return Input{}, err
	}
	ki := k.info()
	rows := make([]row, 0, len(items))
	var itemErrs []RowError
	for i, it := range items {
		cells := make([]string, len(ki.fields))
		for key, v := range it {
			fi, known := ki.index[key]
			if !known {
				itemErrs = append(itemErrs, newRowError(i, "", key, "", keyUnknownField, fieldNames(k)))
				continue
			}
			s, ok := jsonText(v)
			if !ok {
				itemErrs = append(itemErrs, newRowError(i, "", key, "", keyJSONType))
				continue
			}
			cells[fi] = s
		}
		rows = append(rows, row{num: i, cells: cells})
	}
	open := func() (*rowStream, error) {
		h := newHeader(ki, nil, 0)
		for i, f := range ki.fields {
			h.colOf[i], h.label[i] = i, f.Name
		}
		next := 0
		return &rowStream{hdr: h, itemErrs: itemErrs, close: func() error { return nil }, next: func() (*row, error) {
			if next >= len(rows) {
				return nil, nil
			}
			next++
			return &rows[next-1], nil
		}}, nil
	}
	return Input{kind: k.name(), open: open}, nil
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

// tableRows turns a reader of raw rows into a rowStream: the header is the
// mapping's header_row, or found among the first non-blank rows (titles
// above it are skipped); blank rows are skipped.
func tableRows(ki *kindInfo, m *Mapping, read func() ([]string, int, error), closeFn func() error) (*rowStream, error) {
	var lead []row
	for len(lead) < headerScan {
		cells, num, err := read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			closeFn()
			return nil, err
		}
		if blank(cells) {
			continue
		}
		if m != nil && m.HeaderRow > 0 {
			if num < m.HeaderRow {
				continue
			}
			lead = append(lead, row{num: num, cells: append([]string(nil), cells...)})
			break
		}
		lead = append(lead, row{num: num, cells: append([]string(nil), cells...)})
	}
	if len(lead) == 0 {
		h := newHeader(ki, m, 1)
		h.problems = append(h.problems, newRowError(1, "", "", "", keyEmptyFile))
		return &rowStream{hdr: h, close: closeFn, next: func() (*row, error) { return nil, nil }}, nil
	}
	h, at := mapHeader(ki, m, lead[0].cells, lead[0].num), 0
	if m == nil || m.HeaderRow == 0 {
		h, at = pickHeader(ki, m, lead)
	}
	pending := lead[at+1:]
	return &rowStream{hdr: h, close: closeFn, next: func() (*row, error) {
		for len(pending) > 0 {
			r := &pending[0]
			pending = pending[1:]
			if !totalRow(r.cells) {
				return r, nil
			}
		}
		for {
			cells, num, err := read()
			if errors.Is(err, io.EOF) {
				return nil, nil
			}
			if err != nil {
				return nil, err
			}
			if !blank(cells) && !totalRow(cells) {
				return &row{num: num, cells: cells}, nil
			}
		}
	}}, nil
}

// totalRow reports a summary row exports put under the data (合计, 总计,
// 小计 or Total in its first non-blank cell): it is no record.
func totalRow(cells []string) bool {
	for _, c := range cells {
		if c = clean(c); c != "" {
			switch strings.ToLower(strings.TrimRight(c, ":：")) {
			case "合计", "总计", "小计", "total", "sum":
				return true
			}
			return false
		}
	}
	return false
}

func blank(cells []string) bool {
	for _, c := range cells {
		if clean(c) != "" {
			return false
		}
	}
	return true
}
