package importer

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// sheetRows reads a workbook's rows with one reader (cells copied).
func sheetRows(t *testing.T, read func(opener, *kindInfo, *Mapping) (*rowStream, error), data []byte, kind string, m *Mapping) (*header, []row) {
	t.Helper()
	k, _ := lookupKind(kind)
	st, err := read(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }, k.info(), m)
	if err != nil {
		t.Fatal(err)
	}
	return drainRows(t, st)
}

// TestFastSheetMatchesExcelize reads the same workbooks with the fast sheet
// reader and with excelize: every row, number and cell must agree.
func TestFastSheetMatchesExcelize(t *testing.T) {
	books := map[string][]byte{}
	for _, name := range []string{"人员花名册.xlsx", "医生档案.xlsx", "流向数据.xlsx"} {
		data, err := os.ReadFile(filepath.Join(companyDir, name))
		if err != nil {
			t.Fatal(err)
		}
		books[name] = data
	}
	rows := [][]string{{"信号编码", "医生编码", "信号类别", "信号类型", "发生时间", "说明"},
		{"S1", "D1", "lecture", "lecture_attend", "2026-05-01", "a<b & \"c\" 'd'"}, {}, {"S2", "", "", "", "", "  空格  "}}
	dir := t.TempDir()
	for _, p := range []string{writeXLSX(t, dir, "inline.xlsx", rows), writeSharedXLSX(t, dir, "shared.xlsx", rows)} {
		data, _ := os.ReadFile(p)
		books[filepath.Base(p)] = data
	}
	// Typed cells: numbers, a boolean, a formula, a date, rich text, gaps.
	f := excelize.NewFile()
	for cell, v := range map[string]any{"A1": "信号编码", "B1": "医生编码", "C1": "数值", "D1": "发生时间", "E1": "说明", "F1": "类型",
		"A3": 13800000000, "B3": "D1", "C3": 1200.5, "D3": time.Date(2026, 5, 1, 14, 30, 0, 0, time.UTC), "F3": true, "H3": "far"} {
		f.SetCellValue("Sheet1", cell, v)
	}
	f.SetCellFormula("Sheet1", "C4", "=1+2")
	f.SetCellRichText("Sheet1", "E4", []excelize.RichTextRun{{Text: "富"}, {Text: "文本", Font: &excelize.Font{Bold: true}}})
	f.NewSheet("hidden")
	var b bytes.Buffer
	f.Write(&b)
	books["typed.xlsx"] = b.Bytes()

	for name, data := range books {
		for _, kind := range []string{"signals", "users", "doctors", "flow"} {
			fh, fast := sheetRows(t, readXLSXFast, data, kind, nil)
			eh, slow := sheetRows(t, readXLSXExcelize, data, kind, nil)
			if fh.row != eh.row || !slices.Equal(fh.colOf, eh.colOf) || len(fast) != len(slow) {
				t.Fatalf("%s as %s: header %d/%d %v/%v, %d/%d rows", name, kind, fh.row, eh.row, fh.colOf, eh.colOf, len(fast), len(slow))
			}
			for i := range fast {
				a, b := fast[i], slow[i]
				for len(b.cells) > 0 && b.cells[len(b.cells)-1] == "" {
					b.cells = b.cells[:len(b.cells)-1]
				}
				if a.num != b.num || !slices.Equal(a.cells, b.cells) {
					t.Fatalf("%s row %d: fast %q, excelize %d %q", name, a.num, a.cells, b.num, b.cells)
				}
			}
		}
	}
	// The mapping's sheet is found by either reader.
	m := mustMapping(t, "flow", "sheet: 流向")
	if h, rows := sheetRows(t, readXLSXFast, books["流向数据.xlsx"], "flow", m); h.row != 3 || len(rows) != 72 {
		t.Fatalf("sheet 流向: header row %d, %d rows", h.row, len(rows))
	}
}
