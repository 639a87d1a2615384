package importer

import (
	"context"
	"fmt"
	"testing"

	"visitbot/clock"
	"visitbot/models/modelstest"
)

const (
	benchSignals = 100_000
	benchDoctors = 3_000
)

// BenchmarkImportSignals imports 100,000 signal rows (about 33 per doctor,
// 3,000 doctors) from CSV and from XLSX into an empty signals table, on every
// configured database. Reading the file is included; creating the doctors is not.
//
//	VISITBOT_TEST_MYSQL_DSN='root@tcp(127.0.0.1:3306)/test' \
//	  go test ./importer -run '^$' -bench ImportSignals -benchtime 1x
func BenchmarkImportSignals(b *testing.B) {
	dir := b.TempDir()
	rows := [][]string{{"信号编码", "医生编码", "信号类别", "信号类型", "数值", "发生时间", "来源", "说明"}}
	classes := []string{"线上讲座", "学术会议", "数字互动", "竞品互动", "临床试验"}
	kinds := []string{"lecture_attend", "meeting_attend", "leaflet_view", "competitor_event", "trial_screening"}
	for i := range benchSignals {
		rows = append(rows, []string{
			fmt.Sprintf("SIG%07d", i), fmt.Sprintf("D%05d", i%benchDoctors), classes[i%len(classes)], kinds[i%len(kinds)],
			fmt.Sprint(1 + i%3), fmt.Sprintf("2026-%02d-%02d %02d:%02d", 1+i%11, 1+i%28, 8+i%10, i%60), "crm", "批量导入",
		})
	}
	files := map[string]string{
		"csv":  writeCSV(b, dir, "signals.csv", "gbk", rows),
		"xlsx": writeXLSX(b, dir, "signals.xlsx", rows),
	}
	for _, driver := range modelstest.Drivers() {
		for _, format := range []string{"csv", "xlsx"} {
			b.Run(driver+"/"+format, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					s, _ := modelstest.Open(b, driver, clock.System{})
					im := New(s, Config{Location: modelstest.Shanghai})
					seedDoctors(b, im)
					b.StartTimer()
					in, err := OpenFile(files[format], "signals", nil)
					if err != nil {
						b.Fatal(err)
					}
					rep, err := im.Import(context.Background(), "signals", in, Options{})
					if err != nil || rep.Created != benchSignals {
						b.Fatalf("import: %v, %+v", err, rep.UpsertCounts)
					}
				}
				b.ReportMetric(float64(benchSignals*b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}

// seedDoctors creates one hospital and benchDoctors doctors D00000….
func seedDoctors(b *testing.B, im *Importer) {
	ctx := context.Background()
	h, _ := FromJSON("hospitals", []map[string]any{{"external_id": "H1", "name": "基准医院", "level": "三甲"}})
	if _, err := im.Import(ctx, "hospitals", h, Options{}); err != nil {
		b.Fatal(err)
	}
	items := make([]map[string]any, benchDoctors)
	for i := range items {
		items[i] = map[string]any{"external_id": fmt.Sprintf("D%05d", i), "name": "医生", "hospital_id": "H1", "department": "心内科", "title": "主治医师"}
	}
	d, _ := FromJSON("doctors", items)
	if rep, err := im.Import(ctx, "doctors", d, Options{}); err != nil || rep.Created != benchDoctors {
		b.Fatal(err, rep.Errors)
	}
}

// BenchmarkReimportSignals times importing the same 100,000-row CSV a second
// time: every row is compared with the stored one and nothing is written.
func BenchmarkReimportSignals(b *testing.B) {
	dir := b.TempDir()
	rows := [][]string{{"信号编码", "医生编码", "信号类别", "信号类型", "发生时间"}}
	for i := range benchSignals {
		rows = append(rows, []string{fmt.Sprintf("SIG%07d", i), fmt.Sprintf("D%05d", i%benchDoctors), "线上讲座", "lecture_attend",
			fmt.Sprintf("2026-%02d-%02d %02d:%02d", 1+i%11, 1+i%28, 8+i%10, i%60)})
	}
	path := writeCSV(b, dir, "signals.csv", "utf8", rows)
	for _, driver := range modelstest.Drivers() {
		b.Run(driver, func(b *testing.B) {
			s, _ := modelstest.Open(b, driver, clock.System{})
			im := New(s, Config{Location: modelstest.Shanghai})
			seedDoctors(b, im)
			in, err := OpenFile(path, "signals", nil)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := im.Import(context.Background(), "signals", in, Options{}); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				rep, err := im.Import(context.Background(), "signals", in, Options{})
				if err != nil || rep.Unchanged != benchSignals {
					b.Fatalf("re-import: %v %+v", err, rep.UpsertCounts)
				}
			}
		})
	}
}
