package importer

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Limits of one workbook: MaxFileBytes bounds the .xlsx itself (excelize
// holds the zip in memory), maxUnzippedBytes what its parts may inflate to,
// so a zip bomb is refused before it is expanded.
const (
	MaxFileBytes     = 256 << 20
	maxUnzippedBytes = 2 << 30
)

// readXLSX streams one sheet of a workbook (the mapping's sheet, else the
// first visible one): with the fast sheet reader when the workbook is a
// standard package, else with excelize's row iterator. Cells are read raw,
// without number formats: ids and phone numbers never turn into "1.38E+10"
// or "1,200", and dates arrive as Excel serials, which date fields accept.
func readXLSX(open opener, ki *kindInfo, m *Mapping) (*rowStream, error) {
	if st, err := readXLSXFast(open, ki, m); err == nil || !errors.Is(err, errNotStandard) {
		return st, err
	}
	return readXLSXExcelize(open, ki, m)
}

// readXLSXExcelize reads the sheet with excelize's streaming row iterator.
func readXLSXExcelize(open opener, ki *kindInfo, m *Mapping) (*rowStream, error) {
	rc, err := open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	f, err := excelize.OpenReader(&capped{r: rc, left: MaxFileBytes}, excelize.Options{UnzipSizeLimit: maxUnzippedBytes})
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return nil, fmt.Errorf("workbook larger than %d MiB: split it", MaxFileBytes>>20)
		}
		return nil, fmt.Errorf("read xlsx: %w", err)
	}
	sheet, err := pickSheet(f, m)
	if err != nil {
		f.Close()
		return nil, err
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read sheet %s: %w", sheet, err)
	}
	n := 0
	closeFn := func() error {
		rows.Close()
		return f.Close()
	}
	return tableRows(ki, m, func() ([]string, int, error) {
		if !rows.Next() {
			if err := rows.Error(); err != nil {
				return nil, 0, err
			}
			return nil, 0, io.EOF
		}
		n++
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		return cols, n, err
	}, closeFn)
}

// readXLSXFast reads a standard workbook with the fast sheet reader
// (xlsx_workbook.go, xlsx_scanner.go); errNotStandard sends the caller to excelize.
func readXLSXFast(open opener, ki *kindInfo, m *Mapping) (*rowStream, error) {
	rc, err := open()
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(&capped{r: rc, left: MaxFileBytes})
	rc.Close()
	if errors.Is(err, errTooLarge) {
		return nil, fmt.Errorf("workbook larger than %d MiB: split it", MaxFileBytes>>20)
	}
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errNotStandard
	}
	var total uint64
	for _, f := range zr.File {
		if total += f.UncompressedSize64; total > maxUnzippedBytes {
			return nil, fmt.Errorf("workbook inflates to more than %d MiB", maxUnzippedBytes>>20)
		}
	}
	sheet := ""
	if m != nil {
		sheet = m.Sheet
	}
	next, closeFn, err := openSheet(zr, sheet)
	if err != nil {
		return nil, err
	}
	return tableRows(ki, m, next, closeFn)
}

// pickSheet is the mapping's sheet or the first visible one.
func pickSheet(f *excelize.File, m *Mapping) (string, error) {
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return "", errors.New("xlsx has no sheet")
	}
	if m != nil && m.Sheet != "" {
		for _, s := range sheets {
			if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(m.Sheet)) {
				return s, nil
			}
		}
		return "", fmt.Errorf("no sheet %q in the workbook (sheets: %s)", m.Sheet, strings.Join(sheets, ", "))
	}
	for _, s := range sheets {
		if visible, err := f.GetSheetVisible(s); err == nil && visible {
			return s, nil
		}
	}
	return sheets[0], nil
}

var errTooLarge = errors.New("input too large")

// capped reads at most left bytes, then fails with errTooLarge.
type capped struct {
	r    io.Reader
	left int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		if n, _ := c.r.Read(one[:]); n > 0 {
			return 0, errTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
