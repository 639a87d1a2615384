package importer

import (
	"context"
	"fmt"
	"testing"

	"syscall"
	"time"

	"visitbot/clock"
	"visitbot/models/modelstest"
)

const (
	benchSignals = 100_000
	benchDoctors = 3_000
)

// BenchmarkImportSignals imports 100,000 signal rows (about 33 per doctor,
// 3,000 doctors) from CSV (GBK) and from XLSX into an empty signals table, on
// every configured database. "xlsx" is saved as Excel does (shared strings),
// "xlsx_inline" as streaming writers do (inline strings, slower to decode).
// Reading the file is included; creating the doctors is not.
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
		"csv":         writeCSV(b, dir, "signals.csv", "gbk", rows),
		"xlsx":        writeSharedXLSX(b, dir, "signals.xlsx", rows),
		"xlsx_inline": writeXLSX(b, dir, "signals_inline.xlsx", rows),
	}
	rows = nil // not live while measuring: the collector would scan it every cycle
	for _, driver := range modelstest.Drivers() {
		for _, format := range []string{"csv", "xlsx", "xlsx_inline"} {
			b.Run(driver+"/"+format, func(b *testing.B) {
				var cpu time.Duration
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					s, _ := modelstest.Open(b, driver, clock.System{})
					im := New(s, Config{Location: modelstest.Shanghai})
					seedDoctors(b, im)
					b.StartTimer()
					cpu0 := cpuTime()
					in, err := OpenFile(files[format], "signals", nil)
					if err != nil {
						b.Fatal(err)
					}
					rep, err := im.Import(context.Background(), "signals", in, Options{})
					if err != nil || rep.Created != benchSignals {
						b.Fatalf("import: %v, %+v", err, rep.UpsertCounts)
					}
					cpu += cpuTime() - cpu0
				}
				b.ReportMetric(float64(benchSignals*b.N)/b.Elapsed().Seconds(), "rows/s")
				b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
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

// cpuTime is the CPU time (user + system) of the process so far: with other
// builds sharing the cores, it says what an import costs better than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
