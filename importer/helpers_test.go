package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"visitbot/models"
)

// writeXLSX writes rows (header first) to a real .xlsx file in dir.
func writeXLSX(t testing.TB, dir, name string, rows [][]string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, c := range r {
			vals[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, vals); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeSharedXLSX writes rows the way Excel saves a workbook: every text
// cell in the shared strings table (writeXLSX's stream writer inlines them).
func writeSharedXLSX(t testing.TB, dir, name string, rows [][]string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, c := range r {
			vals[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, name)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// csvBytes renders rows as CSV in UTF-8.
func csvBytes(t testing.TB, rows [][]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// writeCSV writes rows to dir/name; enc is "utf8", "bom" or "gbk".
func writeCSV(t testing.TB, dir, name, enc string, rows [][]string) string {
	t.Helper()
	data := csvBytes(t, rows)
	switch enc {
	case "bom":
		data = append([]byte("\xef\xbb\xbf"), data...)
	case "gbk":
		var err error
		data, err = simplifiedchinese.GBK.NewEncoder().Bytes(data)
		if err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// importFile reads and imports one file, failing the test on I/O errors.
func importFile(t testing.TB, im *Importer, kind, path string, m *Mapping, opts Options) (Report, error) {
	t.Helper()
	in, err := OpenFile(path, kind, m)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	return im.Import(context.Background(), kind, in, opts)
}

func mustImport(t testing.TB, im *Importer, kind, path string) Report {
	t.Helper()
	rep, err := importFile(t, im, kind, path, nil, Options{})
	if err != nil {
		t.Fatalf("import %s: %v; errors: %v", kind, err, rep.Errors)
	}
	return rep
}

func count[T any](t testing.TB, s *models.Store) int64 {
	t.Helper()
	var n int64
	if err := s.DB(context.Background()).Model(new(T)).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func counts(c, u, n int) models.UpsertCounts {
	return models.UpsertCounts{Created: c, Updated: u, Unchanged: n}
}

// world loads a small, complete world from files and returns the importer.
var (
	hospitalRows = [][]string{
		{"医院编码", "医院名称", "医院等级", "城市", "纬度", "经度"},
		{"H001", "上海市第一人民医院", "三甲", "上海", "31.2456", "121.4869"},
		{"H002", "瑞金医院", "三级甲等", "上海", "31.2118", "121.4679"},
		{"H003", "徐汇区社区卫生服务中心", "社区", "上海", "", ""},
	}
	productRows = [][]string{
		{"product_code", "name", "area"},
		{"P1", "降压宁", "心血管"},
		{"P2", "糖平", "内分泌"},
	}
	userRows = [][]string{
		{"工号", "姓名", "角色", "上级工号", "区域", "企业微信账号", "钉钉账号", "手机号", "在职"},
		{"rep01", "张伟", "代表", "mgr01", "浦东", "zhangwei", "", "138 0000 0000", "是"},
		{"mgr01", "李娜", "地区经理", "", "上海", "lina", "ding-lina", "", ""},
		{"admin", "王芳", "管理员", "", "", "", "", "", "是"},
	}
	doctorRows = [][]string{
		{"医生编码", "姓名", "医院编码", "科室", "职称", "是否KOL", "备案角色", "原分级"},
		{"D001", "陈静", "H001", "心内科", "主任医师", "是", "药事会、医保目录", "A"},
		{"D002", "刘洋", "H002", "内分泌科", "主治医师", "否", "", "B"},
		{"D003", "赵敏", "H003", "全科", "住院医师", "", "", ""},
	}
)

func loadWorld(t testing.TB, im *Importer, dir string) {
	t.Helper()
	mustImport(t, im, "hospitals", writeXLSX(t, dir, "hospitals.xlsx", hospitalRows))
	mustImport(t, im, "products", writeCSV(t, dir, "products.csv", "bom", productRows))
	mustImport(t, im, "users", writeCSV(t, dir, "users.csv", "gbk", userRows))
	mustImport(t, im, "doctors", writeXLSX(t, dir, "doctors.xlsx", doctorRows))
}
