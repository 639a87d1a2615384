package importer

import (
	"context"
	"strconv"
	"strings"

	"visitbot/models"
	"visitbot/signals"
)

// assignmentRec links a rep (by user id) to a doctor (by external id).
type assignmentRec struct {
	models.Assignment
	rep, doctor string
}

var assignmentKind = &spec[assignmentRec]{
	kindName: "assignments",
	about:    "assignments (代表负责医生): rep user id, doctor code",
	keyField: "doctor_id",
	list: []Field{
		{Name: "rep_id", Header: "代表工号", Aliases: []string{"工号", "user_id", "rep"}, Required: true},
		{Name: "doctor_id", Header: "医生编码", Aliases: []string{"医生代码", "doctor"}, Required: true},
	},
	parseRow: func(r *rowReader) *assignmentRec {
		return &assignmentRec{rep: r.id("rep_id", 64, true), doctor: r.id("doctor_id", 64, true)}
	},
	key: func(a *assignmentRec) string { return a.rep + "|" + a.doctor },
	resolve: func(ctx context.Context, tx *models.Store, env *runEnv, items []*item[assignmentRec]) error {
		reps := collect(items, func(a *assignmentRec) string { return a.rep })
		roles, err := tx.Import.UserRoles(ctx, reps)
		if err != nil {
			return err
		}
		users, err := tx.Import.UserIDs(ctx, reps)
		if err != nil {
			return err
		}
		docs, err := tx.Import.DoctorIDs(ctx, collect(items, func(a *assignmentRec) string { return a.doctor }))
		if err != nil {
			return err
		}
		for _, it := range items {
			if role, ok := roles[models.NaturalKey(it.rec.rep)]; ok && role != models.RoleRep {
				it.fail(env, "rep_id", it.rec.rep, "is a %s, not a rep", role)
			}
			it.rec.RepID = resolveRef(it, env, users, "rep_id", it.rec.rep, "unknown rep (import users first)")
			it.rec.DoctorID = resolveRef(it, env, docs, "doctor_id", it.rec.doctor, "unknown doctor (import doctors first)")
		}
		return nil
	},
	write: func(ctx context.Context, tx *models.Store, _ *runEnv, recs []*assignmentRec) (models.UpsertCounts, error) {
		return tx.Import.UpsertAssignments(ctx, embedded(recs, func(a *assignmentRec) *models.Assignment { return &a.Assignment }))
	},
}

var (
	sessionTypeLabels = newLabels("出诊", "session", "门诊", "session", "停诊", "cancel", "cancellation", "cancel")
	weekdayLabels     = newLabels(
		"周一", "1", "星期一", "1", "一", "1", "mon", "1", "monday", "1",
		"周二", "2", "星期二", "2", "二", "2", "tue", "2", "tuesday", "2",
		"周三", "3", "星期三", "3", "三", "3", "wed", "3", "wednesday", "3",
		"周四", "4", "星期四", "4", "四", "4", "thu", "4", "thursday", "4",
		"周五", "5", "星期五", "5", "五", "5", "fri", "5", "friday", "5",
		"周六", "6", "星期六", "6", "六", "6", "sat", "6", "saturday", "6",
		"周日", "7", "星期日", "7", "星期天", "7", "周天", "7", "日", "7", "sun", "7", "sunday", "7",
	)
	periodLabels = newLabels("上午", models.PeriodAM, "下午", models.PeriodPM, "am", models.PeriodAM, "pm", models.PeriodPM, "全天", "")
)

// sessionRec is a clinic session or a 停诊 row with the doctor by external id.
type sessionRec struct {
	doctor  string
	cancel  bool
	session models.ClinicSession
	cancels models.ClinicCancellation
}

var sessionKind = &spec[sessionRec]{
	kindName: "sessions",
	about:    "clinic sessions (门诊排班) and cancellations (停诊): doctor code, type, weekday or date, AM/PM",
	keyField: "doctor_id",
	list: []Field{
		{Name: "doctor_id", Header: "医生编码", Aliases: []string{"医生代码", "doctor"}, Required: true},
		{Name: "type", Header: "类型", Aliases: []string{"排班类型"}, Help: "出诊 (weekly or dated session, default) / 停诊 (cancellation)"},
		{Name: "weekday", Header: "星期", Aliases: []string{"周几"}, Help: "周一 … 周日 or 1 … 7, for a weekly session"},
		{Name: "date", Header: "日期", Aliases: []string{"day"}, Help: "2026-05-01, for a dated session or a 停诊"},
		{Name: "period", Header: "时段", Aliases: []string{"上下午"}, Help: "上午 / 下午 (AM / PM); a 停诊 without period is the whole day"},
		{Name: "reason", Header: "停诊原因", Aliases: []string{"原因", "备注"}},
	},
	parseRow: func(r *rowReader) *sessionRec {
		x := &sessionRec{doctor: r.id("doctor_id", 64, true)}
		x.cancel = r.choice("type", sessionTypeLabels, false) == "cancel"
		wd := r.choice("weekday", weekdayLabels, false)
		day := r.day("date", false)
		period := r.choice("period", periodLabels, false)
		reason := r.str("reason", 128, false)
		if x.cancel {
			if wd != "" {
				r.fail("weekday", r.raw("weekday"), "a 停诊 is for a date, not a weekday")
			}
			if day == "" && r.raw("date") == "" {
				r.fail("date", "", "is required for a 停诊")
			}
			x.cancels = models.ClinicCancellation{Day: day, Period: period, Reason: reason}
			return x
		}
		switch {
		case wd == "" && day == "" && r.raw("weekday") == "" && r.raw("date") == "":
			r.fail("weekday", "", "a session needs a weekday or a date")
		case wd != "" && day != "":
			r.fail("date", day, "give a weekday or a date, not both")
		}
		if raw := r.raw("period"); period == "" {
			if _, known := periodLabels[strings.ToLower(raw)]; known || raw == "" {
				r.fail("period", raw, "a session needs 上午 or 下午 (AM / PM)")
			}
		}
		n, _ := strconv.Atoi(wd)
		x.session = models.ClinicSession{Weekday: n, Day: day, Period: period}
		return x
	},
	key: func(x *sessionRec) string {
		if x.cancel {
			return x.doctor + "|cancel|" + x.cancels.Day + "|" + x.cancels.Period
		}
		return x.doctor + "|" + strconv.Itoa(x.session.Weekday) + "|" + x.session.Day + "|" + x.session.Period
	},
	resolve: func(ctx context.Context, tx *models.Store, env *runEnv, items []*item[sessionRec]) error {
		docs, err := tx.Import.DoctorIDs(ctx, collect(items, func(x *sessionRec) string { return x.doctor }))
		if err != nil {
			return err
		}
		for _, it := range items {
			id := resolveRef(it, env, docs, "doctor_id", it.rec.doctor, "unknown doctor (import doctors first)")
			it.rec.session.DoctorID, it.rec.cancels.DoctorID = id, id
		}
		return nil
	},
	write: func(ctx context.Context, tx *models.Store, _ *runEnv, recs []*sessionRec) (models.UpsertCounts, error) {
		var sessions []*models.ClinicSession
		var cancels []*models.ClinicCancellation
		for _, x := range recs {
			if x.cancel {
				cancels = append(cancels, &x.cancels)
			} else {
				sessions = append(sessions, &x.session)
			}
		}
		total, err := tx.Import.UpsertClinicSessions(ctx, sessions)
		if err != nil {
			return total, err
		}
		c, err := tx.Import.UpsertClinicCancellations(ctx, cancels)
		total.Add(c)
		return total, err
	},
}

// flowRec is a flow row with hospital and product by code.
type flowRec struct {
	models.FlowRecord
	hospital, product string
}

var flowKind = &spec[flowRec]{
	kindName: "flow",
	about:    "monthly flow data (流向): hospital code × department × product code × month → quantity",
	keyField: "month",
	list: []Field{
		{Name: "hospital_id", Header: "医院编码", Aliases: []string{"医院代码", "hospital"}, Required: true},
		{Name: "department", Header: "科室", Aliases: []string{"dept"}, Required: true},
		{Name: "product_code", Header: "产品编码", Aliases: []string{"产品代码", "product"}, Required: true},
		{Name: "month", Header: "月份", Aliases: []string{"年月"}, Required: true, Help: "2026-05"},
		{Name: "quantity", Header: "数量", Aliases: []string{"销量", "qty"}, Required: true},
	},
	parseRow: func(r *rowReader) *flowRec {
		x := &flowRec{hospital: r.id("hospital_id", 64, true), product: r.id("product_code", 32, true)}
		x.Department = r.str("department", 64, true)
		x.Month = r.month("month", true)
		x.Quantity = r.num("quantity", true, 0, 1e12, 0)
		return x
	},
	key: func(x *flowRec) string { return x.hospital + "|" + x.Department + "|" + x.product + "|" + x.Month },
	resolve: func(ctx context.Context, tx *models.Store, env *runEnv, items []*item[flowRec]) error {
		hs, err := tx.Import.HospitalIDs(ctx, collect(items, func(x *flowRec) string { return x.hospital }))
		if err != nil {
			return err
		}
		ps, err := tx.Import.ProductIDs(ctx, collect(items, func(x *flowRec) string { return x.product }))
		if err != nil {
			return err
		}
		for _, it := range items {
			it.rec.HospitalID = resolveRef(it, env, hs, "hospital_id", it.rec.hospital, "unknown hospital (import hospitals first)")
			it.rec.ProductID = resolveRef(it, env, ps, "product_code", it.rec.product, "unknown product (import products first)")
		}
		return nil
	},
	write: func(ctx context.Context, tx *models.Store, _ *runEnv, recs []*flowRec) (models.UpsertCounts, error) {
		return tx.Import.UpsertFlowRecords(ctx, embedded(recs, func(x *flowRec) *models.FlowRecord { return &x.FlowRecord }))
	},
}

// classLabels are the class keys with the names and labels of the signals registry.
var classLabels = func() labels {
	var pairs []string
	for _, c := range signals.All() {
		pairs = append(pairs, c.Name, c.Key)
		for _, l := range c.Labels {
			pairs = append(pairs, l, c.Key)
		}
	}
	return newLabels(pairs...)
}()

// signalRec is a signal row with the doctor by external id.
type signalRec struct {
	models.Signal
	doctor string
}

var signalKind = &spec[signalRec]{
	kindName: "signals",
	about:    "signals (信号) about doctors: id, doctor code, class, kind, value, time; doctor-level prescriptions are refused",
	keyField: "external_id",
	list: []Field{
		{Name: "external_id", Header: "信号编码", Aliases: []string{"signal_id", "编号", "记录编号"}, Required: true, Help: "unique id of the event in your system"},
		{Name: "doctor_id", Header: "医生编码", Aliases: []string{"医生代码", "doctor"}, Required: true},
		{Name: "class", Header: "信号类别", Aliases: []string{"类别", "category"}, Required: true, Help: "filing / meeting / lecture / competitor / trial / digital / visit (备案 学术会议 线上讲座 竞品 临床试验 数字互动 拜访)"},
		{Name: "kind", Header: "信号类型", Aliases: []string{"类型", "type"}, Required: true, Help: "e.g. lecture_attend, leaflet_view, trial_investigator"},
		{Name: "value", Header: "数值", Aliases: []string{"值"}, Help: "default 1"},
		{Name: "occurred_at", Header: "发生时间", Aliases: []string{"时间", "日期", "time", "date"}, Required: true, Help: "2026-05-01 or 2026-05-01 14:30 (business time zone) or RFC 3339"},
		{Name: "source", Header: "来源", Aliases: []string{"数据来源"}},
		{Name: "detail", Header: "说明", Aliases: []string{"备注", "note"}},
	},
	parseRow: func(r *rowReader) *signalRec {
		x := &signalRec{doctor: r.id("doctor_id", 64, true)}
		x.ExternalID = r.id("external_id", 128, true)
		x.Class = r.choice("class", classLabels, true)
		x.Kind = r.id("kind", 32, true)
		x.Value = r.num("value", false, -1e9, 1e9, 1)
		x.OccurredAt = r.instant("occurred_at", true)
		x.Source = r.str("source", 32, false)
		x.Detail = r.str("detail", 255, false)
		if x.Class != "" {
			if err := models.CheckSignalCompliance(x.Class, x.Kind, r.env.im.cfg.AllowDoctorLevelRx); err != nil {
				r.fail("class", r.raw("class"), "%s", err.Error())
			}
		}
		return x
	},
	key: func(x *signalRec) string { return x.ExternalID },
	resolve: func(ctx context.Context, tx *models.Store, env *runEnv, items []*item[signalRec]) error {
		docs, err := tx.Import.DoctorIDs(ctx, collect(items, func(x *signalRec) string { return x.doctor }))
		if err != nil {
			return err
		}
		for _, it := range items {
			it.rec.DoctorID = resolveRef(it, env, docs, "doctor_id", it.rec.doctor, "unknown doctor (import doctors first)")
		}
		return nil
	},
	write: func(ctx context.Context, tx *models.Store, env *runEnv, recs []*signalRec) (models.UpsertCounts, error) {
		counts, created, err := tx.Import.UpsertSignals(ctx, embedded(recs, func(x *signalRec) *models.Signal { return &x.Signal }))
		if err != nil {
			return counts, err
		}
		for _, s := range created {
			env.created = append(env.created, *s)
		}
		return counts, nil
	},
}
