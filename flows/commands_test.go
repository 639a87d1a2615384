package flows_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/bot/console"
	"visitbot/flows"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// cmdWorld: mgr01 leads rep01 and rep02, mgr02 leads rep03, plus an admin.
// D1 陈静 (KOL, rep01) was last visited 2026-11-10 and is silent; D2 陈静
// (rep02) shares her name; D3 赵敏 (KOL, rep03) is in the other team; D4
// 王磊 (KOL, rep01) was visited this week; D5 孙丽 (KOL, rep02) has a recent
// visit signal. rep01 has today's list. Users ask through the app's console.
type cmdWorld struct {
	*world
	// con is the app's console.
	con   *console.Console
	users map[string]*models.User
	docs  map[string]*models.Doctor
}

func newCmdWorld(t *testing.T, s *models.Store) *cmdWorld {
	t.Helper()
	ctx := context.Background()
	w := &cmdWorld{world: newWorld(t, s, nil), users: map[string]*models.User{}, docs: map[string]*models.Doctor{}}
	w.con = w.console
	db := s.DB(ctx)
	user := func(id, name string, role models.Role, mgr string) {
		u := &models.User{UserID: id, Name: name, Role: role, Active: true, Territory: "上海"}
		if mgr != "" {
			u.ManagerID = &w.users[mgr].ID
		}
		w.create(t, u)
		w.users[id] = u
	}
	user("mgr01", "王经理", models.RoleManager, "")
	user("mgr02", "钱经理", models.RoleManager, "")
	user("admin", "管理员", models.RoleAdmin, "")
	user("rep01", "张三", models.RoleRep, "mgr01")
	user("rep02", "李四", models.RoleRep, "mgr01")
	user("rep03", "周五", models.RoleRep, "mgr02")
	h1 := &models.Hospital{ExternalID: "H1", Name: "瑞金医院", Level: models.Level3A}
	h2 := &models.Hospital{ExternalID: "H2", Name: "华山医院", Level: models.Level3A}
	w.create(t, h1)
	w.create(t, h2)
	doc := func(id, name string, h *models.Hospital, dept, title string, kol bool, rep string) {
		d := &models.Doctor{ExternalID: id, Name: name, HospitalID: h.ID, Department: dept, Title: title, IsKOL: kol}
		w.create(t, d)
		w.docs[id] = d
		w.create(t, &models.Assignment{RepID: w.users[rep].ID, DoctorID: d.ID})
	}
	doc("D1", "陈静", h1, "心内科", models.TitleChief, true, "rep01")
	doc("D2", "陈静", h2, "内分泌科", models.TitleAttending, false, "rep02")
	doc("D3", "赵敏", h2, "神经内科", models.TitleAssociate, true, "rep03")
	doc("D4", "王磊", h1, "心内科", models.TitleAttending, true, "rep01")
	doc("D5", "孙丽", h1, "心内科", models.TitleChief, true, "rep02")
	db.Model(w.docs["D1"]).Updates(map[string]any{"tier": "A", "legacy_tier": "B", "heat": 82.5})
	db.Model(w.docs["D4"]).Update("tier", "B")
	w.create(t, &models.TierChange{DoctorID: w.docs["D1"].ID, Day: "2026-11-28", FromTier: "B", ToTier: "A", Heat: 82.5, Rising: true})
	visit := func(rep, doc, day string) *models.Visit {
		v := &models.Visit{RepID: w.users[rep].ID, DoctorID: w.docs[doc].ID, Day: day, HospitalID: w.docs[doc].HospitalID, Status: models.VisitCompleted, Planned: true}
		w.create(t, v)
		return v
	}
	v1 := visit("rep01", "D1", "2026-11-10")
	w.create(t, &models.VisitFeedback{VisitID: v1.ID, RepID: v1.RepID, DoctorID: v1.DoctorID, Commitments: "试用处方|提交进院申请", FollowUp: "1周",
		SubmittedAt: time.Date(2026, 11, 10, 11, 0, 0, 0, modelstest.Shanghai)})
	v4 := visit("rep01", "D4", "2026-11-30")
	w.create(t, &models.VisitFeedback{VisitID: v4.ID, RepID: v4.RepID, DoctorID: v4.DoctorID, Commitments: "无",
		SubmittedAt: time.Date(2026, 11, 30, 16, 0, 0, 0, modelstest.Shanghai)})
	w.create(t, &models.Signal{ExternalID: "vs-1", DoctorID: w.docs["D5"].ID, Class: models.ClassVisit, Kind: "phone_call", Value: 1,
		OccurredAt: time.Date(2026, 11, 25, 10, 0, 0, 0, modelstest.Shanghai)})
	w.create(t, &models.Recommendation{RepID: w.users["rep01"].ID, Day: "2026-12-01", DoctorID: w.docs["D1"].ID, Rank: 1, Kind: models.RecRanked,
		Score: 90, Heat: 82.5, Period: models.PeriodAM, DistanceM: 1200, Reasons: `["连续2次参加线上讲座","周二上午有门诊","距您1.2公里"]`})
	w.create(t, &models.Recommendation{RepID: w.users["rep01"].ID, Day: "2026-12-01", DoctorID: w.docs["D4"].ID, Rank: 2, Kind: models.RecRanked,
		Score: 70, Heat: 60, Period: models.PeriodPM, Reasons: `["您上周拜访过"]`})

	return w
}

// ask sends text as who through the console and returns the texts.
func (w *cmdWorld) ask(t *testing.T, who, text string) string {
	t.Helper()
	r, err := w.con.Post(context.Background(), who, "", bot.Event{Kind: bot.EventText, Text: text})
	if err != nil {
		t.Fatalf("%s %q: %v", who, text, err)
	}
	return strings.Join(r.Texts, "\n")
}

// expect checks every (who, text) answer contains all wants and none of the bans.
type exchange struct {
	who, text string
	want      []string
	ban       []string
}

func (w *cmdWorld) check(t *testing.T, cases []exchange) {
	t.Helper()
	for _, c := range cases {
		got := w.ask(t, c.who, c.text)
		for _, s := range c.want {
			if !strings.Contains(got, s) {
				t.Errorf("%s %q: missing %q in\n%s", c.who, c.text, s, got)
			}
		}
		for _, s := range c.ban {
			if strings.Contains(got, s) {
				t.Errorf("%s %q: unexpected %q in\n%s", c.who, c.text, s, got)
			}
		}
	}
}

func usage(u string) string { return "用法：" + u }

func TestTopCommand(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newCmdWorld(t, s)
		w.check(t, []exchange{
			{"rep01", "我的名单", []string{"张三 · 今天拜访名单（2位）", "1. 陈静（主任医师）瑞金医院 · 上午 · 1.2km", "理由：连续2次参加线上讲座；周二上午有门诊", "2. 王磊（主治医师）瑞金医院 · 下午"}, []string{"距您1.2公里"}},
			{"rep01", "top rep01", []string{"张三 · 今天拜访名单"}, nil},
			{"rep02", "我的名单", []string{flows.MsgNoListYet}, nil},
			{"rep01", "我的名单 rep02", []string{flows.MsgOnlyOwnList}, nil},
			{"rep01", "我的名单 a b", []string{usage("我的名单 [代表姓名或工号]")}, nil},
			{"mgr01", "top rep01", []string{"张三 · 今天拜访名单（2位）"}, nil},
			{"mgr01", "我的名单 张三", []string{"张三 · 今天拜访名单"}, nil},
			{"mgr01", "我的名单 李四", []string{"李四今天还没有拜访名单。"}, nil},
			{"mgr01", "我的名单 rep03", []string{"没有在您的团队中找到代表「rep03」。"}, nil},
			{"mgr01", "我的名单", []string{flows.MsgNameARep}, nil},
			{"admin", "top rep03", []string{"周五今天还没有拜访名单。"}, nil},
			{"admin", "top REP01", []string{"张三 · 今天拜访名单"}, nil},
		})
	})
}

func TestDoctorCommand(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newCmdWorld(t, s)
		profile := []string{"陈静 · 主任医师 · KOL", "医院：瑞金医院 心内科", "分级：A（原分级 B） · 热度 82.5", "分级变化：11月28日 B→A↑",
			"热度理由（今天）：连续2次参加线上讲座；周二上午有门诊；距您1.2公里", "最近拜访：11月10日 张三（已完成）", "承诺事项：试用处方、提交进院申请（11月10日） · 跟进：1周"}
		w.check(t, []exchange{
			{"rep01", "医生 陈静", profile, []string{"内分泌科"}},
			{"rep01", "doctor 陈", []string{"陈静 · 主任医师"}, nil},
			{"rep01", "医生 赵敏", []string{"在您负责的医生中没有找到「赵敏」。"}, nil},
			{"rep01", "医生 D3", []string{"在您负责的医生中没有找到「D3」。"}, nil},
			{"rep01", "医生", []string{usage("医生 <姓名或医生编码>")}, nil},
			{"rep02", "医生 陈静", []string{"陈静 · 主治医师", "医院：华山医院 内分泌科", "分级：未评分", "最近拜访：暂无"}, []string{"承诺事项"}},
			{"mgr01", "医生 陈静", []string{"找到多位医生", "1. 陈静（主任医师）瑞金医院 心内科 · 编码 D1", "2. 陈静（主治医师）华山医院 内分泌科 · 编码 D2"}, nil},
			{"mgr01", "医生 D2", []string{"医院：华山医院 内分泌科"}, nil},
			{"mgr01", "医生 赵敏", []string{"在您负责的医生中没有找到「赵敏」。"}, nil},
			{"mgr02", "医生 赵敏", []string{"赵敏 · 副主任医师 · KOL"}, nil},
			{"admin", "doctor 赵敏", []string{"赵敏 · 副主任医师 · KOL", "医院：华山医院 神经内科"}, nil},
			{"admin", "医生 钱", []string{"没有找到医生「钱」。"}, nil},
			{"admin", "医生 %", []string{"没有找到医生「%」。"}, nil},
		})
	})
}

func TestSilentAndStatsCommands(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newCmdWorld(t, s)
		w.check(t, []exchange{
			{"rep01", "沉默", []string{bot.MsgNoPermission}, nil},
			{"mgr01", "沉默", []string{"沉默KOL（14天以上没有拜访或互动，共1位）", "1. 陈静 · 瑞金医院 · 负责代表 张三 · 已21天未拜访或互动（上次 11月10日）"}, []string{"王磊", "孙丽", "赵敏"}},
			{"mgr02", "silent", []string{"1. 赵敏 · 华山医院 · 负责代表 周五 · 从未拜访或互动"}, nil},
			{"admin", "沉默", []string{"共2位", "陈静", "赵敏"}, nil},
			{"rep01", "统计", []string{bot.MsgNoPermission}, nil},
			{"mgr01", "统计", []string{"团队本周指标（11月30日起）", "代表：2人", "负责医生：4位（KOL 3位）", "分级：S 0位 · A 1位 · B 1位 · C 0位 · 未评分2位", "本周拜访：1次（计划1次）", "拜访反馈：1份"}, nil},
			{"admin", "stats", []string{"全公司本周指标", "代表：3人", "负责医生：5位"}, nil},
			{"mgr01", "统计 本月", []string{usage("统计")}, nil},
		})
	})
}

// TestSilentIsOneDefinition: the 沉默 command, flows.SilentKOLs (the
// dashboard tile's count) and the alert scan name the same KOLs in the same
// words — 孙丽's recent visit signal counts as contact for all three.
func TestSilentIsOneDefinition(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		w := newCmdWorld(t, s)
		var team []uint
		for _, id := range []string{"rep01", "rep02", "rep03"} {
			team = append(team, w.users[id].ID)
		}
		kols, err := w.flows.SilentKOLs(ctx, team, testDay)
		must(t, err)
		said := w.ask(t, "admin", "沉默")
		if !strings.Contains(said, fmt.Sprintf("共%d位", len(kols))) {
			t.Fatalf("沉默 says %q, flows.SilentKOLs has %d", said, len(kols))
		}
		_, err = w.flows.AlertScan(ctx, testDay)
		must(t, err)
		var alerts []models.Alert
		must(t, s.DB(ctx).Where("kind = ?", "silent_kol").Find(&alerts).Error)
		if len(alerts) != len(kols) {
			t.Fatalf("%d silent alerts, %d silent KOLs", len(alerts), len(kols))
		}
		for _, k := range kols {
			if !strings.Contains(said, k.DoctorName+" · "+k.HospitalName+" · 负责代表 "+k.RepName+" · "+k.Silence) {
				t.Errorf("沉默 lacks %s: %q", k.Silence, said)
			}
			found := false
			for _, a := range alerts {
				found = found || (a.DoctorID != nil && *a.DoctorID == k.DoctorID && strings.Contains(a.Reasons, k.Silence))
			}
			if !found {
				t.Errorf("no alert says %q for %s", k.Silence, k.DoctorName)
			}
		}
	})
}

func TestWeightsCommand(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		w := newCmdWorld(t, s)
		w.check(t, []exchange{
			{"rep01", "权重", []string{bot.MsgNoPermission}, nil},
			{"mgr01", "权重", []string{"• 线上讲座（lecture）：0.15", "• 处方趋势（流向）（rx_trend）：0.15"}, []string{"已调整"}},
			{"mgr01", "权重 设置 lecture 0.3", []string{bot.MsgNoPermission}, nil},
			{"admin", "权重 设置 popularity 1", []string{"没有名为「popularity」的因子", "线上讲座"}, []string{"用法"}},
			{"admin", "权重 设置 lecture 20", []string{"「线上讲座」的权重应在 0～3 之间（配置值 0.15），「20」不在范围内。"}, []string{"用法"}},
			{"admin", "权重 设置 lecture NaN", []string{"应在 0～3 之间"}, nil},
			{"admin", "权重 设置 lecture -1", []string{"应在 0～3 之间"}, nil},
			{"admin", "权重 设置 lecture", []string{"用法："}, nil},
			{"admin", "权重 设置 线上讲座 2", []string{"已将「线上讲座」的权重设为 2（配置值 0.15），将在下一次评分时生效。"}, nil},
			{"admin", "权重 设置 lecture 0.3", []string{"已将「线上讲座」的权重设为 0.3（配置值 0.15），将在下一次评分时生效。"}, nil},
			{"mgr01", "weights", []string{"• 线上讲座（lecture）：0.3（已调整，配置值 0.15）"}, nil},
		})
		got, err := s.Settings.WeightOverrides(ctx)
		if err != nil || len(got) != 1 || got["lecture"] != 0.3 {
			t.Fatalf("overrides = %v, %v", got, err)
		}
		w.check(t, []exchange{{"admin", "weights reset lecture", []string{"已恢复「线上讲座」的权重为配置值 0.15"}, nil}})
		if got, _ := s.Settings.WeightOverrides(ctx); len(got) != 0 {
			t.Fatalf("override not removed: %v", got)
		}
		entries, _ := s.Audit.Entries(ctx, 10)
		if len(entries) != 3 || entries[0].Action != "command:权重" || entries[0].Target != "reset lecture" || entries[1].Target != "设置 lecture 0.3" || entries[2].Target != "设置 线上讲座 2" {
			t.Fatalf("audit = %+v", entries)
		}
		// A hand-edited bad override is reported, not silently used.
		if err := s.Settings.PutSetting(ctx, flows.WeightSettingPrefix+"visit", "lots", 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Settings.WeightOverrides(ctx); err == nil {
			t.Fatal("bad override accepted")
		}
	})
}

func TestPushAndJobCommands(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		w := newCmdWorld(t, s)
		w.check(t, []exchange{
			{"rep01", "推送 all", []string{bot.MsgNoPermission}, nil},
			{"mgr01", "任务 nightly_scores", []string{bot.MsgNoPermission}, nil},
			{"admin", "推送", []string{usage("推送 <代表工号|全部>")}, nil},
			{"admin", "推送 rep01", []string{"已开始为rep01推送2026-12-01的拜访名单"}, nil},
			{"admin", "push all", []string{"已开始为全部代表推送2026-12-01的拜访名单"}, nil},
			{"admin", "推送 mgr01", []string{"没有找到代表「mgr01」"}, nil},
			{"admin", "任务 nightly_scores", []string{"已开始执行任务「nightly_scores」（2026-12-01）"}, nil},
			{"admin", "job morning_push 2026-11-30", []string{"已开始执行任务「morning_push」（2026-11-30）"}, nil},
			{"admin", "任务 nightly_scores 30号", []string{"用法：任务 <任务名> [日期 2026-05-01]"}, nil},
			{"admin", "任务 cleanup", []string{"没有名为「cleanup」的任务。可用任务：", "morning_push、nightly_scores"}, nil},
		})
		// Each command wrote a run request in its transaction (no scheduler
		// runs in this test, so they wait there for one).
		reqs, err := s.Jobs.RequestedRuns(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range reqs {
			got = append(got, r.Job+"@"+strings.Split(r.Slot, ":")[1]+r.Args)
		}
		if strings.Join(got, ",") != `morning_push@2026-12-01{"reps":"rep01"},morning_push@2026-12-01,nightly_scores@2026-12-01,morning_push@2026-11-30` {
			t.Fatalf("requests = %v", got)
		}
		entries, _ := s.Audit.Entries(ctx, 20)
		actions := map[string]int{}
		for _, e := range entries {
			actions[e.Action]++
		}
		// Every admin action that ran is audited; refusals and usage errors are not actions.
		if actions["command:推送"] != 2 || actions["command:任务"] != 2 {
			t.Fatalf("audit actions = %v", actions)
		}
	})
}

func TestCommandsHelpAndUnknown(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newCmdWorld(t, s)
		w.check(t, []exchange{
			{"rep01", "我是谁", []string{"您是 张三（rep01），角色：医药代表"}, nil},
			{"rep01", "whoami", []string{"医药代表"}, nil},
			{"rep01", "帮助", []string{"我的名单 / top", "医生 / doctor", "我是谁 / whoami"}, []string{"推送", "任务", "沉默", "权重"}},
			{"mgr01", "help", []string{"沉默 / silent", "统计 / stats", "权重 / weights"}, []string{"推送", "任务"}},
			{"admin", "help", []string{"推送 / push", "任务 / job", "权重 / weights"}, nil},
			{"rep01", "请帮我排个名单", []string{bot.MsgUnknownCommand}, nil},
		})
	})
}
