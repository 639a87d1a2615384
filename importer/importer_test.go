package importer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"visitbot/models"
	"visitbot/models/modelstest"
)

func newImporter(s *models.Store, cfg Config) *Importer { return New(s, cfg) }

func TestImportWorldAndReimportIsNoOp(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		dir := t.TempDir()
		im := newImporter(s, Config{})
		files := []struct {
			kind, path string
			want       models.UpsertCounts
		}{
			{"hospitals", writeXLSX(t, dir, "hospitals.xlsx", hospitalRows), counts(3, 0, 0)},
			{"products", writeCSV(t, dir, "products.csv", "bom", productRows), counts(2, 0, 0)},
			{"users", writeCSV(t, dir, "users.csv", "gbk", userRows), counts(3, 0, 0)},
			{"doctors", writeXLSX(t, dir, "doctors.xlsx", doctorRows), counts(3, 0, 0)},
			{"doctor_products", writeCSV(t, dir, "dp.csv", "utf8", [][]string{
				{"医生编码", "产品编码", "匹配度"}, {"D001", "P1", "0.9"}, {"D002", "P2", ""},
			}), counts(2, 0, 0)},
			{"assignments", writeCSV(t, dir, "assign.csv", "gbk", [][]string{
				{"代表工号", "医生编码"}, {"rep01", "D001"}, {"rep01", "D002"},
			}), counts(2, 0, 0)},
			{"sessions", writeXLSX(t, dir, "sessions.xlsx", [][]string{
				{"医生编码", "类型", "星期", "日期", "时段", "停诊原因"},
				{"D001", "出诊", "周三", "", "上午", ""},
				{"D001", "", "5", "", "PM", ""},
				{"D002", "出诊", "", "2026-12-03", "下午", ""},
				{"D001", "停诊", "", "2026/12/9", "全天", "外出开会"},
			}), counts(4, 0, 0)},
			{"flow", writeCSV(t, dir, "flow.csv", "gbk", [][]string{
				{"医院编码", "科室", "产品编码", "月份", "数量"},
				{"H001", "心内科", "P1", "2026-10", "1,200"},
				{"H001", "心内科", "P1", "2026年11月", "1350"},
			}), counts(2, 0, 0)},
			{"signals", writeXLSX(t, dir, "signals.xlsx", [][]string{
				{"信号编码", "医生编码", "信号类别", "信号类型", "数值", "发生时间", "来源", "说明"},
				{"S1", "D001", "线上讲座", "lecture_attend", "", "2026-11-20 19:30", "学术平台", "心衰新进展"},
				{"S2", "D001", "lecture", "lecture_attend", "1", "2026-11-27", "学术平台", ""},
				{"S3", "D002", "数字互动", "leaflet_view", "2", "2026-11-28T10:00:00+08:00", "", ""},
			}), counts(3, 0, 0)},
		}
		for _, f := range files {
			rep := mustImport(t, im, f.kind, f.path)
			if rep.UpsertCounts != f.want || !rep.Written || len(rep.Errors) != 0 {
				t.Fatalf("%s: got %+v, want %+v", f.kind, rep, f.want)
			}
		}
		// Re-importing every file changes nothing.
		for _, f := range files {
			rep := mustImport(t, im, f.kind, f.path)
			total := f.want.Created + f.want.Updated + f.want.Unchanged
			if rep.UpsertCounts != counts(0, 0, total) {
				t.Fatalf("re-import %s: got %+v, want all %d unchanged", f.kind, rep.UpsertCounts, total)
			}
		}

		rep01, err := s.Users.UserByUserID(ctx, "rep01")
		if err != nil {
			t.Fatal(err)
		}
		mgr, _ := s.Users.UserByUserID(ctx, "mgr01")
		if rep01.ManagerID == nil || *rep01.ManagerID != mgr.ID || rep01.Role != models.RoleRep ||
			rep01.WeComUserID == nil || *rep01.WeComUserID != "zhangwei" || !rep01.Active || rep01.Name != "张伟" {
			t.Fatalf("rep01 = %+v (manager %d)", rep01, mgr.ID)
		}
		var d models.Doctor
		if err := s.DB(ctx).Where("external_id = ?", "D001").Take(&d).Error; err != nil {
			t.Fatal(err)
		}
		if d.Title != models.TitleChief || !d.IsKOL || d.Roles != "formulary,insurance_advocate" || d.LegacyTier != "A" || d.Department != "心内科" {
			t.Fatalf("doctor D001 = %+v", d)
		}
		var h models.Hospital
		_ = s.DB(ctx).Where("external_id = ?", "H001").Take(&h)
		if h.Level != models.Level3A || h.Lat != 31.2456 {
			t.Fatalf("hospital H001 = %+v", h)
		}
		var cancel models.ClinicCancellation
		if err := s.DB(ctx).Take(&cancel).Error; err != nil || cancel.Day != "2026-12-09" || cancel.Period != "" || cancel.Reason != "外出开会" {
			t.Fatalf("cancellation = %+v, %v", cancel, err)
		}
		var flows []models.FlowRecord
		s.DB(ctx).Order("month").Find(&flows)
		if len(flows) != 2 || flows[0].Quantity != 1200 || flows[1].Month != "2026-11" {
			t.Fatalf("flow = %+v", flows)
		}
		var sig models.Signal
		s.DB(ctx).Where("external_id = ?", "S1").Take(&sig)
		want := time.Date(2026, 11, 20, 19, 30, 0, 0, modelstest.Shanghai)
		if !sig.OccurredAt.Equal(want) || sig.Class != models.ClassLecture || sig.Value != 1 || sig.Detail != "心衰新进展" {
			t.Fatalf("signal S1 = %+v", sig)
		}
	})
}

func TestImportUpdateIsCounted(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		dir := t.TempDir()
		im := newImporter(s, Config{})
		loadWorld(t, im, dir)
		changed := [][]string{doctorRows[0], doctorRows[1], doctorRows[2], doctorRows[3]}
		changed[2] = []string{"D002", "刘洋", "H002", "内分泌科", "副主任医师", "是", "", "B"}
		rep := mustImport(t, im, "doctors", writeXLSX(t, dir, "doctors2.xlsx", changed))
		if rep.UpsertCounts != counts(0, 1, 2) {
			t.Fatalf("counts = %+v", rep.UpsertCounts)
		}
		var d models.Doctor
		s.DB(context.Background()).Where("external_id = ?", "D002").Take(&d)
		if d.Title != models.TitleAssociate || !d.IsKOL {
			t.Fatalf("D002 not updated: %+v", d)
		}
	})
}

func TestCustomMapping(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		dir := t.TempDir()
		im := newImporter(s, Config{})
		mustImport(t, im, "hospitals", writeXLSX(t, dir, "h.xlsx", hospitalRows))
		m, err := ParseMapping(strings.NewReader(`
kind: doctors
columns:
  工号: external_id
  医生: name
  所属医院: hospital_id
  部门: department
  级别: title
  重点客户: is_kol
values:
  title: {主任: chief, 副主任: associate, 主治: attending}
  is_kol: {重点: true, 普通: false}
`), "doctors")
		if err != nil {
			t.Fatal(err)
		}
		path := writeCSV(t, dir, "company.csv", "gbk", [][]string{
			{"工号", "医生", "所属医院", "部门", "级别", "重点客户", "内部备注"},
			{"X-1", "周杰", "H001", "神经内科", "主任", "重点", "忽略我"},
			{"X-2", "吴磊", "H002", "神经内科", "主治", "普通", ""},
		})
		rep, err := importFile(t, im, "doctors", path, m, Options{})
		if err != nil {
			t.Fatalf("import: %v %v", err, rep.Errors)
		}
		if rep.Created != 2 || len(rep.Ignored) != 1 || rep.Ignored[0] != "内部备注" {
			t.Fatalf("report = %+v", rep)
		}
		var d models.Doctor
		s.DB(context.Background()).Where("external_id = ?", "X-1").Take(&d)
		if d.Title != models.TitleChief || !d.IsKOL || d.Department != "神经内科" {
			t.Fatalf("X-1 = %+v", d)
		}
	})
}

func TestMappingErrors(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, want string }{
		"unknown field":  {"columns: {工号: doctor_code}", `unknown field "doctor_code"`},
		"other kind":     {"kind: signals", `is for kind "signals"`},
		"unknown key":    {"colums: {}", "field colums not found"},
		"values unknown": {"values: {rank: {a: b}}", `values for unknown field "rank"`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseMapping(strings.NewReader(tc.yaml), "doctors")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestBadRowsAreAllReportedAndNothingImported(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		dir := t.TempDir()
		im := newImporter(s, Config{})
		mustImport(t, im, "hospitals", writeXLSX(t, dir, "h.xlsx", hospitalRows))
		path := writeXLSX(t, dir, "bad.xlsx", [][]string{
			{"医生编码", "姓名", "医院编码", "科室", "职称", "是否KOL"},
			{"D001", "陈静", "H001", "心内科", "主任医师", "是"}, // row 2: good
			{"D002", "", "H404", "心内科", "教授", "也许"},    // row 3: 4 problems
			{"", "", "", "", "", ""}, // row 4: blank, skipped
			{"D001", "陈静", "H001", "心内科", "主任医师", "是"}, // row 5: duplicate of row 2
			{"D 9", "李", "H002", "", "主治", ""},         // row 6: id with space, no department
			{"D010", "孙", "H002", "骨科", "住院医师", ""},    // row 7: good
		})
		rep, err := importFile(t, im, "doctors", path, nil, Options{})
		if !errors.Is(err, ErrRejected) {
			t.Fatalf("err = %v, want ErrRejected", err)
		}
		got := map[string]bool{}
		for _, e := range rep.Errors {
			got[e.String()] = true
		}
		want := []string{
			`row 3, column "姓名" (name): is required`,
			`row 3, column "职称" (title), value "教授": is not one of associate, attending, chief, resident (or map it in the mapping file under values)`,
			`row 3, column "是否KOL" (is_kol), value "也许": must be yes or no (是/否, true/false, 1/0)`,
			`row 3, column "医院编码" (hospital_id), value "H404": unknown hospital (import hospitals first, or load them in the same bundle)`,
			`row 5, column "医生编码" (external_id), value "D001": duplicate of row 2 (same key D001)`,
			`row 6, column "医生编码" (external_id), value "D 9": must not contain spaces`,
			`row 6, column "科室" (department): is required`,
		}
		for _, w := range want {
			if !got[w] {
				t.Errorf("missing error %q", w)
			}
		}
		if len(rep.Errors) != len(want) {
			t.Errorf("got %d errors, want %d: %v", len(rep.Errors), len(want), rep.Errors)
		}
		if rep.Written || count[models.Doctor](t, s) != 0 {
			t.Fatalf("rejected file wrote rows: %+v", rep)
		}

		// -partial imports the good rows only.
		rep, err = importFile(t, im, "doctors", path, nil, Options{Partial: true})
		if err != nil || rep.Created != 2 || rep.Skipped != 3 || !rep.Written {
			t.Fatalf("partial: %+v, %v", rep, err)
		}
		if n := count[models.Doctor](t, s); n != 2 {
			t.Fatalf("doctors = %d, want 2", n)
		}
	})
}

func TestDryRunWritesNothing(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		dir := t.TempDir()
		im := newImporter(s, Config{})
		path := writeXLSX(t, dir, "h.xlsx", hospitalRows)
		rep, err := importFile(t, im, "hospitals", path, nil, Options{DryRun: true})
		if err != nil || rep.Created != 3 || rep.Written || !rep.DryRun {
			t.Fatalf("dry run: %+v, %v", rep, err)
		}
		if n := count[models.Hospital](t, s); n != 0 {
			t.Fatalf("dry run wrote %d hospitals", n)
		}
	})
}

func TestSignalsComplianceAndHook(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		dir := t.TempDir()
		var fired [][]models.Signal
		im := newImporter(s, Config{OnSignals: func(_ context.Context, sigs []models.Signal) { fired = append(fired, sigs) }})
		loadWorld(t, im, dir)
		rows := [][]string{
			{"signal_id", "doctor_id", "class", "kind", "occurred_at"},
			{"S1", "D001", "trial", "trial_investigator", "2026-11-30"},
			{"S2", "D002", "处方趋势", "monthly_rx", "2026-11-30"},
			{"S3", "D002", "digital", "prescription_count", "2026-11-30"},
		}
		path := writeCSV(t, dir, "sig.csv", "utf8", rows)
		rep, err := importFile(t, im, "signals", path, nil, Options{})
		if !errors.Is(err, ErrRejected) || len(rep.Errors) != 2 {
			t.Fatalf("want 2 compliance errors, got %v %v", err, rep.Errors)
		}
		for _, e := range rep.Errors {
			if !strings.Contains(e.Reason, "doctor-level prescription data is refused") {
				t.Fatalf("reason = %q", e.Reason)
			}
		}
		if len(fired) != 0 {
			t.Fatal("hook fired for a rejected file")
		}
		rep, err = importFile(t, im, "signals", path, nil, Options{Partial: true})
		if err != nil || rep.Created != 1 {
			t.Fatalf("partial: %+v %v", rep, err)
		}
		if len(fired) != 1 || len(fired[0]) != 1 || fired[0][0].ExternalID != "S1" || fired[0][0].DoctorID == 0 ||
			!fired[0][0].OccurredAt.Equal(time.Date(2026, 11, 30, 0, 0, 0, 0, modelstest.Shanghai)) {
			t.Fatalf("hook got %+v", fired)
		}
		// A re-import creates nothing and fires nothing.
		if _, err := importFile(t, im, "signals", path, nil, Options{Partial: true}); err != nil || len(fired) != 1 {
			t.Fatalf("re-import fired the hook again: %v %d", err, len(fired))
		}
		// With the compliance switch on, the rows are accepted.
		// prescription_count is a kind of the company's own rules.
		open := newImporter(s, Config{AllowDoctorLevelRx: true, SignalKinds: []SignalKind{{Name: "prescription_count", Class: "digital"}}})
		if rep, err := importFile(t, open, "signals", path, nil, Options{}); err != nil || rep.Created != 2 {
			t.Fatalf("allowed: %+v %v", rep, err)
		}
	})
}

func TestUsersValidation(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		dir := t.TempDir()
		im := newImporter(s, Config{})
		path := writeCSV(t, dir, "u.csv", "utf8", [][]string{
			{"user_id", "name", "role", "manager_id", "wecom_user_id", "phone"},
			{"rep01", "A", "rep", "rep02", "w1", ""},
			{"rep02", "B", "rep", "nobody", "w1", "call me"},
			{"rep03", "C", "boss", "rep03", "", ""},
		})
		rep, err := importFile(t, im, "users", path, nil, Options{})
		if !errors.Is(err, ErrRejected) {
			t.Fatal(err)
		}
		var lines []string
		for _, e := range rep.Errors {
			lines = append(lines, e.String())
			if e.Field == "phone" && e.Value != "" {
				t.Fatal("a phone value was echoed in an error")
			}
		}
		joined := strings.Join(lines, "\n")
		for _, w := range []string{
			`row 2, column "manager_id", value "rep02": is a rep, not a manager`,
			`row 3, column "phone": must contain only digits`,
			`row 3, column "wecom_user_id", value "w1": already used on row 2`,
			`row 3, column "manager_id", value "nobody": unknown manager`,
			`row 4, column "role", value "boss": is not one of admin, manager, rep`,
			`row 4, column "manager_id", value "rep03": a user cannot be their own manager`,
		} {
			if !strings.Contains(joined, w) {
				t.Errorf("missing %q in\n%s", w, joined)
			}
		}
	})
}

func TestHeaderProblems(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		dir := t.TempDir()
		im := newImporter(s, Config{})
		rep, err := importFile(t, im, "hospitals", writeCSV(t, dir, "h.csv", "utf8", [][]string{
			{"医院编码", "hospital_id", "城市"}, {"H1", "H1", "上海"},
		}), nil, Options{})
		if !errors.Is(err, ErrRejected) {
			t.Fatal(err)
		}
		joined := ""
		for _, e := range rep.Header {
			joined += e.String() + "\n"
		}
		if len(rep.Errors) != 0 || rep.Rows != 0 {
			t.Errorf("header problems reported as row problems: %+v", rep)
		}
		for _, w := range []string{`column "医院编码" also maps to field external_id`, "missing required column name", "missing required column level"} {
			if !strings.Contains(joined, w) {
				t.Errorf("missing %q in\n%s", w, joined)
			}
		}
		empty := writeCSV(t, dir, "empty.csv", "utf8", nil)
		if rep, err := importFile(t, im, "hospitals", empty, nil, Options{}); !errors.Is(err, ErrRejected) || len(rep.Header) != 1 || rep.Header[0].Key != keyEmptyFile {
			t.Fatalf("empty file: %+v %v", rep, err)
		}
		if _, err := im.Import(context.Background(), "patients", Input{}, Options{}); err == nil || !strings.Contains(err.Error(), "unknown import kind") {
			t.Fatalf("unknown kind: %v", err)
		}
	})
}

func TestFromJSONReportsUnknownFieldsAndBadValues(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		im := newImporter(s, Config{})
		in, err := FromJSON("hospitals", []map[string]any{
			{"external_id": "H1", "name": "甲医院", "level": "三甲", "lat": 31.2, "lng": 121.4},
			{"external_id": "H2", "name": "乙医院", "level": "二级", "colour": "red", "lat": []any{1}},
		})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := im.Import(context.Background(), "hospitals", in, Options{Partial: true})
		if !errors.Is(err, ErrRejected) || len(rep.Errors) != 2 || rep.Errors[0].Row != 1 {
			t.Fatalf("got %+v %v", rep.Errors, err)
		}
		if n := count[models.Hospital](t, s); n != 0 {
			t.Fatal("JSON with unknown fields must not be partially imported")
		}
	})
}

// TestSignalTextRoundTrips: quotes, backslashes, emoji, line breaks and NUL
// in signal text are stored exactly (SQLite gets literal INSERTs), and a
// re-import compares equal.
func TestSignalTextRoundTrips(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		im := newImporter(s, Config{})
		loadWorld(t, im, t.TempDir())
		details := []string{`it's ''quoted'' \\ back\slash`, "emoji 😀 and 全角＇", "line\nbreak", "nul\x00byte", `'); DROP TABLE signals; --`}
		items := make([]map[string]any, len(details))
		for i, d := range details {
			items[i] = map[string]any{"external_id": fmt.Sprintf("Q%d", i), "doctor_id": "D001", "kind": "leaflet_view",
				"occurred_at": "2026-11-20 10:00:00", "value": 0.1 + float64(i), "detail": d, "source": "o'brien"}
		}
		for round, want := range []models.UpsertCounts{counts(len(details), 0, 0), counts(0, 0, len(details))} {
			in, _ := FromJSON("signals", items)
			rep, err := im.Import(context.Background(), "signals", in, Options{})
			if err != nil || rep.UpsertCounts != want {
				t.Fatalf("round %d: %v %+v %v", round, err, rep.UpsertCounts, rep.Errors)
			}
		}
		for i, d := range details {
			var sig models.Signal
			s.DB(context.Background()).Where("external_id = ?", fmt.Sprintf("Q%d", i)).Take(&sig)
			if sig.Detail != d || sig.Source != "o'brien" || sig.Value != 0.1+float64(i) {
				t.Errorf("Q%d = %q %q %v", i, sig.Detail, sig.Source, sig.Value)
			}
		}
	})
}
