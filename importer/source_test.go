package importer

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"visitbot/models/modelstest"
)

func TestDecodeText(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("医院编码,医院名称\nH1,瑞金医院\n")
	for name, in := range map[string][]byte{
		"utf8": []byte("医院编码,医院名称\nH1,瑞金医院\n"),
		"bom":  []byte("\xef\xbb\xbf医院编码,医院名称\nH1,瑞金医院\n"),
		"gbk":  []byte(gbk),
	} {
		got, err := DecodeText(in)
		if err != nil || string(got) != "医院编码,医院名称\nH1,瑞金医院\n" {
			t.Errorf("%s: %q %v", name, got, err)
		}
	}
}

// rowsOf opens in and returns its header and rows (cells copied).
func rowsOf(t testing.TB, in Input) (*header, []row) {
	t.Helper()
	st, err := in.open()
	if err != nil {
		t.Fatal(err)
	}
	return drainRows(t, st)
}

// drainRows reads st to its end and closes it, returning its header and
// rows (cells copied).
func drainRows(t testing.TB, st *rowStream) (*header, []row) {
	t.Helper()
	defer st.close()
	var out []row
	for {
		r, err := st.next()
		if err != nil {
			t.Fatal(err)
		}
		if r == nil {
			return st.hdr, out
		}
		out = append(out, row{num: r.num, cells: slices.Clone(r.cells)})
	}
}

// valueOf is the cell of field in r.
func valueOf(h *header, r row, field string) string {
	c := h.colOf[h.kind.index[field]]
	if c < 0 || c >= len(r.cells) {
		return ""
	}
	return r.cells[c]
}

func TestReadCSVTabAndRowNumbers(t *testing.T) {
	data := "医院编码\t医院名称\t医院等级\n\nH1\t甲\t三甲\n\"H2\"\t\"多行\n名称\"\t二级\nH3\t丙\t社区\n"
	in, _ := OpenBytes("h.csv", []byte(data), "hospitals", nil)
	h, rows := rowsOf(t, in)
	if len(h.problems) != 0 {
		t.Fatal(h.problems)
	}
	var nums []int
	for _, r := range rows {
		nums = append(nums, r.num)
	}
	// Row numbers are source lines: blank line 2 skipped, the quoted field spans lines 4-5.
	if len(nums) != 3 || nums[0] != 3 || nums[1] != 4 || nums[2] != 6 {
		t.Fatalf("row numbers = %v", nums)
	}
}

func TestTemplatesReadBack(t *testing.T) {
	dir := t.TempDir()
	for _, kind := range Kinds() {
		for _, format := range []string{FormatXLSX, FormatCSV} {
			var b bytes.Buffer
			if err := WriteTemplate(&b, kind, format); err != nil {
				t.Fatalf("%s %s: %v", kind, format, err)
			}
			path := filepath.Join(dir, kind+"."+format)
			if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			in, err := OpenFile(path, kind, nil)
			if err != nil {
				t.Fatal(err)
			}
			h, rows := rowsOf(t, in)
			if len(h.problems) != 0 || len(h.ignored) != 0 || len(rows) != 0 {
				t.Fatalf("%s %s read back: %+v %d rows", kind, format, h, len(rows))
			}
			fields, _ := Fields(kind)
			if h.recognised() != len(fields) {
				t.Fatalf("%s %s: %d columns recognised, want %d", kind, format, h.recognised(), len(fields))
			}
		}
	}
	if err := WriteTemplate(&bytes.Buffer{}, "hospitals", "pdf"); err == nil {
		t.Fatal("pdf template accepted")
	}
}

// oneField is a run environment for parsing a single field "f".
func oneField() *runEnv {
	h := newHeader(newKindInfo([]Field{{Name: "f"}}), nil, 1)
	h.colOf[0] = 0
	return &runEnv{loc: modelstest.Shanghai, hdr: h, kinds: newKindCatalog(nil)}
}

func TestFieldParsers(t *testing.T) {
	env := oneField()
	read := func(v string) *rowReader {
		return &rowReader{row: &row{num: 2, cells: []string{v}}, env: env}
	}
	for _, tc := range []struct{ in, want string }{
		{"2026-05-01", "2026-05-01"}, {"2026/5/1", "2026-05-01"}, {"2026年5月1日", "2026-05-01"},
		{"20260501", "2026-05-01"}, {"05-01-26", "2026-05-01"}, {"46143", "2026-05-01"}, {"May 1", ""},
	} {
		r := read(tc.in)
		if got := r.day("f", false); got != tc.want || (tc.want == "") != (len(r.errs) == 1) {
			t.Errorf("day(%q) = %q %v, want %q", tc.in, got, r.errs, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"2026-05", "2026-05"}, {"2026/5", "2026-05"}, {"2026年5月", "2026-05"}, {"202605", "2026-05"}, {"2026-05-17", "2026-05"}, {"five", ""},
	} {
		if got := read(tc.in).month("f", false); got != tc.want {
			t.Errorf("month(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	want := time.Date(2026, 5, 1, 14, 30, 0, 0, modelstest.Shanghai)
	for _, in := range []string{"2026-05-01 14:30", "2026-05-01T14:30:00+08:00", "2026-05-01T06:30:00.123Z", "2026/5/1 14:30:00"} {
		if got := read(in).instant("f", true); !got.Equal(want) {
			t.Errorf("instant(%q) = %v, want %v", in, got, want)
		}
	}
	for in, want := range map[string]bool{"是": true, "否": false, "Y": true, "0": false, "TRUE": true, "√": true} {
		r := read(in)
		if got := r.boolean("f", !want); got != want || len(r.errs) != 0 {
			t.Errorf("boolean(%q) = %v %v", in, got, r.errs)
		}
	}
	r := read("1e400")
	if r.num("f", true, 0, 10, 0); len(r.errs) != 1 {
		t.Error("1e400 accepted as a number")
	}
	r = read("abcdefghijk")
	if r.str("f", 10, true); len(r.errs) != 1 || !strings.Contains(r.errs[0].Reason, "at most 10") {
		t.Errorf("long string: %v", r.errs)
	}
}

func TestReadXLSXTypedCellsAndGaps(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	set := func(cell string, v any) {
		if err := f.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	for i, h := range []string{"信号编码", "医生编码", "信号类别", "信号类型", "数值", "发生时间"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		set(cell, h)
	}
	// Row 2 is missing from the sheet; row 3 holds typed cells.
	set("A3", 13800000000)
	set("B3", "D1")
	set("C3", "lecture")
	set("D3", "lecture_attend")
	set("E3", 1200.5)
	set("F3", time.Date(2026, 5, 1, 14, 30, 0, 0, time.UTC))
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 3}) // #,##0
	_ = f.SetCellStyle("Sheet1", "E3", "E3", style)
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	in, _ := OpenBytes("s.xlsx", b.Bytes(), "signals", nil)
	h, rows := rowsOf(t, in)
	if len(h.problems) != 0 || len(rows) != 1 {
		t.Fatalf("%+v %+v", h.problems, rows)
	}
	r0 := rows[0]
	if r0.num != 3 || valueOf(h, r0, "external_id") != "13800000000" || valueOf(h, r0, "value") != "1200.5" {
		t.Fatalf("row = %+v", r0)
	}
	r := &rowReader{row: &r0, env: &runEnv{loc: modelstest.Shanghai, hdr: h}}
	// Excel stores wall-clock time without a zone: it is read in the business zone.
	if got := r.instant("occurred_at", true); !got.Equal(time.Date(2026, 5, 1, 14, 30, 0, 0, modelstest.Shanghai)) || len(r.errs) != 0 {
		t.Fatalf("occurred_at = %v %v", got, r.errs)
	}
}
