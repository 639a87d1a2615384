package importer

import (
	"fmt"
	"testing"
)

// BenchmarkReadSignals100k measures decoding only (no database).
func BenchmarkReadSignals100k(b *testing.B) {
	dir := b.TempDir()
	rows := [][]string{{"信号编码", "医生编码", "信号类别", "信号类型", "数值", "发生时间", "来源", "说明"}}
	for i := range benchSignals {
		rows = append(rows, []string{fmt.Sprintf("SIG%07d", i), fmt.Sprintf("D%05d", i%benchDoctors), "线上讲座", "lecture_attend", "1", "2026-05-01 10:00", "crm", "批量导入"})
	}
	for _, f := range []string{"csv", "xlsx", "xlsx_inline"} {
		path := map[string]func() string{
			"csv":         func() string { return writeCSV(b, dir, "s.csv", "gbk", rows) },
			"xlsx":        func() string { return writeSharedXLSX(b, dir, "s.xlsx", rows) },
			"xlsx_inline": func() string { return writeXLSX(b, dir, "s_inline.xlsx", rows) },
		}[f]()
		b.Run(f, func(b *testing.B) {
			for b.Loop() {
				in, err := OpenFile(path, "signals", nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, rows := rowsOf(b, in); len(rows) != benchSignals {
					b.Fatal(len(rows))
				}
			}
		})
	}
}
