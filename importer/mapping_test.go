package importer

import (
	"context"
	"errors"
	"strings"
	"testing"

	"visitbot/models"
	"visitbot/models/modelstest"
)

func mustMapping(t *testing.T, kind, yml string) *Mapping {
	t.Helper()
	m, err := ParseMapping(strings.NewReader(yml), kind)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// importBytes imports a CSV held in memory.
func importBytes(t *testing.T, im *Importer, kind, csv string, m *Mapping, opts Options) (Report, error) {
	t.Helper()
	in, err := OpenBytes(kind+".csv", []byte(csv), kind, m)
	if err != nil {
		t.Fatal(err)
	}
	return im.Import(context.Background(), kind, in, opts)
}

// TestMappingDefaultsAndOneColumnForTwoFields: a reps file without a role
// column gets a constant, and 员工工号 feeds both user_id and employee_no.
func TestMappingDefaultsAndOneColumnForTwoFields(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		im := New(s, Config{})
		m := mustMapping(t, "users", "columns: {员工工号: [user_id, employee_no], 名字: name}\ndefaults: {role: 代表, territory: 浦东}\n")
		rep, err := importBytes(t, im, "users", "员工工号,名字,区域\n7001,甲,\n7002,乙,黄浦\n", m, Options{})
		if err != nil || rep.Created != 2 {
			t.Fatalf("%v %+v", err, rep)
		}
		u, _ := s.Users.UserByUserID(context.Background(), "7001")
		if u.Role != models.RoleRep || u.EmployeeNo == nil || *u.EmployeeNo != "7001" || u.Territory != "浦东" {
			t.Fatalf("7001 = %+v", u)
		}
		u, _ = s.Users.UserByUserID(context.Background(), "7002")
		if u.Territory != "黄浦" {
			t.Fatalf("a cell wins over the default: %+v", u)
		}
		// Without the default, the missing column is a header problem.
		_, err = importBytes(t, im, "users", "员工工号,名字\n7003,丙\n", mustMapping(t, "users", "columns: {员工工号: user_id, 名字: name}"), Options{})
		if !errors.Is(err, ErrRejected) {
			t.Fatalf("missing role accepted: %v", err)
		}
	})
}

// TestMappingValuesAreChecked: a value label mapped to something visitbot
// does not know is refused when the mapping loads, naming the known values.
func TestMappingValuesAreChecked(t *testing.T) {
	for name, tc := range map[string]struct{ kind, yaml, want string }{
		"title":          {"doctors", "values: {title: {教授: professor}}", `"教授" → "professor" is not one of associate, attending, chief, resident`},
		"kind":           {"signals", "values: {kind: {签到: lecture_attnd}}", "is not a known signal kind (competitor_event"},
		"bool":           {"doctors", "values: {is_kol: {重点: maybe}}", "is not yes or no"},
		"default":        {"users", "defaults: {role: boss}", `defaults.role: "boss" is not one of admin, manager, rep`},
		"default field":  {"users", "defaults: {rank: 1}", `default for unknown field "rank"`},
		"two fields":     {"signals", "columns: {事件类型: [class, kinds]}", `maps to unknown field "kinds"`},
		"refs field":     {"users", "refs: {name: wecom_user_id}", "only user references"},
		"refs id":        {"users", "refs: {manager_id: email}", `"email" is not one of any, user_id, employee_no`},
		"unknown key":    {"doctors", "colums: {}", "field colums not found"},
		"other kind":     {"doctors", "kind: signals", `is for kind "signals"`},
		"values unknown": {"doctors", "values: {rank: {a: b}}", `values for unknown field "rank"`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseMapping(strings.NewReader(tc.yaml), tc.kind)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	// Targets may be labels visitbot knows, and today's format stays valid.
	mustMapping(t, "doctors", "columns: {工号: external_id}\nvalues: {title: {教授: 主任医师}, is_kol: {重点: 是}}")
	mustMapping(t, "signals", "columns: {事件类型: [class, kind]}\nvalues: {kind: {签到: 参加线上讲座, 阅读: leaflet_view}, value: {缺席: 0, '*': 1}}")
}

// TestSignalKindsAreChecked: an unknown kind is an error naming the known
// ones; the class follows from the kind; a class that contradicts the kind
// is refused; the rules' own kinds are accepted when configured.
func TestSignalKindsAreChecked(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		dir := t.TempDir()
		im := New(s, Config{SignalKinds: RuleKinds([]RuleKind{{Name: "webinar_rule", When: "webinar_quiz", Class: "lecture"}})})
		loadWorld(t, im, dir)
		rep, err := importBytes(t, im, "signals", "编号,医生编码,类型,类别,时间\n"+
			"S1,D001,线上签到,,2026-11-20\n"+
			"S2,D001,leaflet_view,lecture,2026-11-20\n"+
			"S3,D001,参加线上讲座,,2026-11-20\n"+
			"S4,D002,webinar_quiz,,2026-11-21\n"+
			"S5,D002,trial_investigator,,2026-11-21\n", nil, Options{Partial: true})
		if err != nil || rep.Created != 3 || rep.BadRows != 2 {
			t.Fatalf("%v %+v", err, rep)
		}
		byKey := map[string]RowError{}
		for _, e := range rep.Errors {
			byKey[e.Key] = e
		}
		if e := byKey[keyUnknownKind]; e.Row != 2 || !strings.Contains(e.Reason, "lecture_attend") || !strings.Contains(e.Message(LangZH), "不是已知的信号类型") {
			t.Errorf("unknown kind: %+v", e)
		}
		if e := byKey[keyKindClass]; e.Row != 3 || e.Reason != "signal kind leaflet_view belongs to class digital, not lecture" {
			t.Errorf("class mismatch: %+v", e)
		}
		var sig models.Signal
		s.DB(context.Background()).Where("external_id = ?", "S3").Take(&sig)
		if sig.Kind != "lecture_attend" || sig.Class != models.ClassLecture {
			t.Errorf("Chinese label: %+v", sig)
		}
		var quiz models.Signal
		s.DB(context.Background()).Where("external_id = ?", "S4").Take(&quiz)
		if quiz.Class != models.ClassLecture {
			t.Errorf("rule kind: %+v", quiz)
		}
	})
	if !strings.Contains(BuiltinKindsHelp(), "trial_investigator (trial, 临床试验研究者) — alert") {
		t.Errorf("help lacks the alert kinds:\n%s", BuiltinKindsHelp())
	}
}

// TestUserReferencesByAnyID: a manager or rep named by user id, employee
// number, WeCom id or DingTalk id; an id two people share is an error
// naming both, unless the mapping says which id the column holds.
func TestUserReferencesByAnyID(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		im := New(s, Config{})
		dir := t.TempDir()
		loadWorld(t, im, dir) // rep01 (wecom zhangwei), mgr01 (wecom lina, dingtalk ding-lina), admin
		users := "工号,员工工号,姓名,角色,上级工号,企业微信账号,钉钉账号\n" +
			"rep02,E02,周,代表,ding-lina,,\n" + // manager by DingTalk id
			"rep03,E03,吴,代表,lina,,\n" + // by WeCom id
			"rep04,E04,郑,代表,M9,,\n" + // by employee number, manager later in the file
			"mgr09,M9,钱,经理,admin,,\n" + // an admin may manage
			"rep05,E05,冯,代表,zhangwei,,\n" + // a rep is no manager
			"rep06,E06,陈,代表,,rep07,\n" +
			"rep07,E07,褚,代表,,,\n"
		rep, err := importBytes(t, im, "users", users, nil, Options{Partial: true})
		if err != nil {
			t.Fatal(err)
		}
		lines := ""
		for _, e := range rep.Errors {
			lines += e.String() + "\n"
		}
		if rep.Created != 6 || rep.BadRows != 1 || !strings.Contains(lines, `row 6, column "上级工号" (manager_id), value "zhangwei": is a rep, not a manager`) {
			t.Fatalf("%+v\n%s", rep.UpsertCounts, lines)
		}
		ctx := context.Background()
		mgr, _ := s.Users.UserByUserID(ctx, "mgr01")
		m9, _ := s.Users.UserByUserID(ctx, "mgr09")
		for id, want := range map[string]uint{"rep02": mgr.ID, "rep03": mgr.ID, "rep04": m9.ID} {
			if u, _ := s.Users.UserByUserID(ctx, id); u.ManagerID == nil || *u.ManagerID != want {
				t.Errorf("%s manager = %v, want %d", id, u.ManagerID, want)
			}
		}
		// rep07 is a user id and rep06's WeCom id: ambiguous for "any".
		assign := "代表,医生编码\nE02,D001\nrep07,D002\n"
		rep, err = importBytes(t, im, "assignments", assign, nil, Options{})
		if !errors.Is(err, ErrRejected) || len(rep.Errors) != 1 || rep.Errors[0].Key != keyAmbiguousRef ||
			!strings.Contains(rep.Errors[0].Reason, "rep06 陈 (rep, WeCom id); rep07 褚 (rep, user id)") ||
			!strings.Contains(rep.Errors[0].Message(LangZH), "匹配到多个人员：rep06 陈（代表，按企业微信账号匹配）；rep07 褚（代表，按用户ID匹配）") {
			t.Fatalf("ambiguity: %v %+v", err, rep.Errors)
		}
		pinned := mustMapping(t, "assignments", "refs: {rep_id: user_id}")
		rep, err = importBytes(t, im, "assignments", "代表,医生编码\nrep02,D001\nrep07,D002\n", pinned, Options{})
		if err != nil || rep.Created != 2 {
			t.Fatalf("pinned: %v %+v", err, rep.Errors)
		}
		// A platform id of another stored user is refused before the database would.
		rep, _ = importBytes(t, im, "users", "工号,姓名,角色,企业微信账号\nrep08,卫,代表,lina\n", nil, Options{})
		if len(rep.Errors) != 1 || rep.Errors[0].Key != keyIDTaken || !strings.Contains(rep.Errors[0].Reason, "mgr01") {
			t.Fatalf("taken id: %+v", rep.Errors)
		}
	})
}

// TestHeaderFoundBelowTitleRows: exports put a title above the header;
// header_row pins it when guessing is not wanted.
func TestHeaderFoundBelowTitleRows(t *testing.T) {
	data := "华东一区 医院清单,,\n导出时间 2026/11/28,,\n,,\n医院编码 ,医院名称*,医院等级\nＨ００１,甲医院 ,三甲\n"
	in, _ := OpenBytes("h.csv", []byte(data), "hospitals", nil)
	h, rows := rowsOf(t, in)
	if len(h.problems) != 0 || h.row != 4 || len(rows) != 1 || rows[0].num != 5 {
		t.Fatalf("header at row %d, problems %v, rows %+v", h.row, h.problems, rows)
	}
	m := mustMapping(t, "hospitals", "header_row: 2\ncolumns: {code: external_id}")
	in, _ = OpenBytes("h.csv", []byte("ignored title\ncode,名称,等级\nH1,甲,三甲\n"), "hospitals", m)
	if h, rows := rowsOf(t, in); len(h.problems) != 0 || len(rows) != 1 {
		t.Fatalf("header_row: %v %+v", h.problems, rows)
	}
}

// TestGenerousValues: what Chinese exports contain — full-width codes and
// digits, trailing and ideographic spaces, Excel serials, 2026/5/1 9:05.
func TestGenerousValues(t *testing.T) {
	env := oneField()
	read := func(v string) *rowReader { return &rowReader{row: &row{num: 2, cells: []string{v}}, env: env} }
	if got := read("　Ｈ００１ ").id("f", 64, true); got != "H001" {
		t.Errorf("full-width id = %q", got)
	}
	if got := read("１，２００").num("f", true, 0, 1e6, 0); got != 1200 {
		t.Errorf("full-width number = %v", got)
	}
	if got := read("85%").num("f", true, 0, 1, 0); got != 0.85 {
		t.Errorf("percentage = %v", got)
	}
	for in, want := range map[string]string{"2026/5/1 9:05": "2026-05-01 09:05", "46143.375": "2026-05-01 09:00", "2026年5月1日 9:05": "2026-05-01 09:05",
		"2026.5.1": "2026-05-01 00:00", "２０２６－０５－０１": "2026-05-01 00:00"} {
		r := read(in)
		got := r.instant("f", true).In(modelstest.Shanghai).Format("2006-01-02 15:04")
		if got != want || len(r.errs) != 0 {
			t.Errorf("instant(%q) = %s %v, want %s", in, got, r.errs, want)
		}
	}
	if r := read("2026-02-30"); r.day("f", true) != "" || len(r.errs) != 1 {
		t.Error("2026-02-30 accepted")
	}
}

// TestTotalRowsAndSeparatorLine: a 合计 row under the data is no record;
// Excel's "sep=;" line names the separator.
func TestTotalRowsAndSeparatorLine(t *testing.T) {
	in, _ := OpenBytes("f.csv", []byte("sep=;\n医院编码;科室;产品编码;月份;数量\nH1;心内科;P1;2026-10;5\n合计;;;;5\n"), "flow", nil)
	h, rows := rowsOf(t, in)
	if len(h.problems) != 0 || len(rows) != 1 || rows[0].num != 3 {
		t.Fatalf("%v %+v", h.problems, rows)
	}
}
