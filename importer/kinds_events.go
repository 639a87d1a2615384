package importer

import (
	"context"
	"strconv"
	"strings"

	"visitbot/models"
)

// assignmentRec links a rep (by any of their ids) to a doctor (by external id).
type assignmentRec struct {
	models.Assignment
	rep, doctor string
}

var assignmentKind = &spec[assignmentRec]{
	kindName: "assignments",
	about:    "assignments (代表负责医生): rep (user id, employee number, WeCom or DingTalk id), doctor code",
	keyField: "doctor_id",
	list: []Field{
		{Name: "rep_id", Header: "代表工号", Aliases: []string{"工号", "user_id", "rep", "员工工号", "代表"}, Required: true, userRef: true,
			Help: "the rep's user id, employee number, WeCom or DingTalk id"},
		{Name: "doctor_id", Header: "医生编码", Aliases: []string{"医生代码", "doctor", "客户编码"}, Required: true},
	},
	parseRow: func(r *rowReader) *assignmentRec {
		return &assignmentRec{rep: r.id("rep_id", 64, true), doctor: r.id("doctor_id", 64, true)}
	},
	key: func(a *assignmentRec) string { return a.rep + "|" + a.doctor },
	resolve: func(ctx context.Context, tx *models.Store, env *runEnv, items []*item[assignmentRec]) error {
		reps := collect(items, func(a *assignmentRec) string { return a.rep })
		stored, err := tx.Import.UserRefs(ctx, reps)
		if err != nil {
			return err
		}
		x := newUserIndex()
		x.addStored(stored, nil)
		docs, err := env.codeIDs(ctx, tx, "doctors", collect(items, func(a *assignmentRec) string { return a.doctor }))
		if err != nil {
			return err
		}
		for _, it := range items {
			if it.rec.rep != "" {
				if c, ok := pickUser(it, env, x, "rep_id", it.rec.rep, "rep", "", models.RoleRep); ok {
					it.rec.RepID = c.id
				}
			}
			it.rec.DoctorID = resolveRef(it, env, docs, "doctor_id", it.rec.doctor, "doctors")
		}
		return nil
	},
	write: func(ctx context.Context, tx *models.Store, _ *runEnv, recs []*assignmentRec) (models.UpsertCounts, error) {
		return tx.Import.UpsertAssignments(ctx, embedded(recs, func(a *assignmentRec) *models.Assignment { return &a.Assignment }))
	},
}

var (
	sessionTypeLabels = newLabels("出诊", "session", "门诊", "session", "专家门诊", "session", "普通门诊", "session", "特需门诊", "session",
		"停诊", "cancel", "cancellation", "cancel", "休诊", "cancel")
	weekdayLabels = newLabels(
		"周一", "1", "星期一", "1", "一", "1", "mon", "1", "monday", "1", "礼拜一", "1",
		"周二", "2", "星期二", "2", "二", "2", "tue", "2", "tuesday", "2", "礼拜二", "2",
		"周三", "3", "星期三", "3", "三", "3", "wed", "3", "wednesday", "3", "礼拜三", "3",
		"周四", "4", "星期四", "4", "四", "4", "thu", "4", "thursday", "4", "礼拜四", "4",
		"周五", "5", "星期五", "5", "五", "5", "fri", "5", "friday", "5", "礼拜五", "5",
		"周六", "6", "星期六", "6", "六", "6", "sat", "6", "saturday", "6", "礼拜六", "6",
		"周日", "7", "星期日", "7", "星期天", "7", "周天", "7", "日", "7", "sun", "7", "sunday", "7", "礼拜天", "7", "0", "7",
	)
	periodLabels = newLabels("上午", models.PeriodAM, "下午", models.PeriodPM, "am", models.PeriodAM, "pm", models.PeriodPM, "全天", "",
		"上", models.PeriodAM, "下", models.PeriodPM, "早", models.PeriodAM, "午后", models.PeriodPM)
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
		{Name: "doctor_id", Header: "医生编码", Aliases: []string{"医生代码", "doctor", "客户编码"}, Required: true},
		{Name: "type", Header: "类型", Aliases: []string{"排班类型", "出诊类型"}, Help: "出诊 (weekly or dated session, default) / 停诊 (cancellation)", choices: sessionTypeLabels},
		{Name: "weekday", Header: "星期", Aliases: []string{"周几", "出诊星期"}, Help: "周一 … 周日 or 1 … 7, for a weekly session", choices: weekdayLabels},
		{Name: "date", Header: "日期", Aliases: []string{"day", "出诊日期", "停诊日期"}, Help: "2026-05-01, for a dated session or a 停诊"},
		{Name: "period", Header: "时段", Aliases: []string{"上下午", "出诊时段"}, Help: "上午 / 下午 (AM / PM); a 停诊 without period is the whole day", choices: periodLabels},
		{Name: "reason", Header: "停诊原因", Aliases: []string{"原因", "备注"}},
	},
	parseRow: parseSession,
	key: func(x *sessionRec) string {
		if x.cancel {
			return x.doctor + "|cancel|" + x.cancels.Day + "|" + x.cancels.Period
		}
		return x.doctor + "|" + strconv.Itoa(x.session.Weekday) + "|" + x.session.Day + "|" + x.session.Period
	},
	resolve: func(ctx context.Context, tx *models.Store, env *runEnv, items []*item[sessionRec]) error {
		docs, err := env.codeIDs(ctx, tx, "doctors", collect(items, func(x *sessionRec) string { return x.doctor }))
		if err != nil {
			return err
		}
		for _, it := range items {
			id := resolveRef(it, env, docs, "doctor_id", it.rec.doctor, "doctors")
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

func parseSession(r *rowReader) *sessionRec {
	x := &sessionRec{doctor: r.id("doctor_id", 64, true)}
	x.cancel = r.choice("type", sessionTypeLabels, false) == "cancel"
	wd := r.choice("weekday", weekdayLabels, false)
	day := r.day("date", false)
	period := r.choice("period", periodLabels, false)
	reason := r.str("reason", 128, false)
	if x.cancel {
		if wd != "" {
			r.fail("weekday", r.raw("weekday"), keyCancelWeekday)
		}
		if day == "" && r.raw("date") == "" {
			r.fail("date", "", keyCancelNeedsDate)
		}
		x.cancels = models.ClinicCancellation{Day: day, Period: period, Reason: reason}
		return x
	}
	switch {
	case wd == "" && day == "" && r.raw("weekday") == "" && r.raw("date") == "":
		r.fail("weekday", "", keySessionNeedsDay)
	case wd != "" && day != "":
		r.fail("date", day, keySessionDayAndWeek)
	}
	if raw := r.code("period"); period == "" {
		if _, known := periodLabels[strings.ToLower(raw)]; known || raw == "" {
			r.fail("period", raw, keySessionPeriod)
		}
	}
	n, _ := strconv.Atoi(wd)
	x.session = models.ClinicSession{Weekday: n, Day: day, Period: period}
	return x
}

// flowRec is a flow row with hospital and product by code.
type flowRec struct {
	models.FlowRecord
	hospital, product, productName string
}

var flowKind = &spec[flowRec]{
	kindName: "flow",
	about:    "monthly flow data (流向): hospital code × department × product code × month → quantity",
	keyField: "month",
	list: []Field{
		{Name: "hospital_id", Header: "医院编码", Aliases: []string{"医院代码", "hospital", "机构编码", "院区编码", "终端编码"}, Required: true},
		{Name: "department", Header: "科室", Aliases: []string{"dept", "科室名称"}, Required: true},
		{Name: "product_code", Header: "产品编码", Aliases: []string{"产品代码", "product"}, Required: true},
		{Name: "product_name", Header: "产品名称", Aliases: []string{"品名"}, Help: "names a product created by -create-missing products"},
		{Name: "month", Header: "月份", Aliases: []string{"年月", "流向月份"}, Required: true, Help: "2026-05"},
		{Name: "quantity", Header: "数量", Aliases: []string{"销量", "qty", "流向数量"}, Required: true},
	},
	parseRow: func(r *rowReader) *flowRec {
		x := &flowRec{hospital: r.id("hospital_id", 64, true), product: r.id("product_code", 32, true), productName: r.str("product_name", 64, false)}
		x.Department = r.str("department", 64, true)
		x.Month = r.month("month", true)
		x.Quantity = r.num("quantity", true, 0, 1e12, 0)
		return x
	},
	key: func(x *flowRec) string { return x.hospital + "|" + x.Department + "|" + x.product + "|" + x.Month },
	resolve: func(ctx context.Context, tx *models.Store, env *runEnv, items []*item[flowRec]) error {
		hs, err := env.codeIDs(ctx, tx, "hospitals", collect(items, func(x *flowRec) string { return x.hospital }))
		if err != nil {
			return err
		}
		ps, err := productIDsOf(ctx, tx, env, items, func(x *flowRec) (string, string) { return x.product, x.productName })
		if err != nil {
			return err
		}
		for _, it := range items {
			it.rec.HospitalID = resolveRef(it, env, hs, "hospital_id", it.rec.hospital, "hospitals")
			it.rec.ProductID = resolveRef(it, env, ps, "product_code", it.rec.product, "products")
		}
		return nil
	},
	write: func(ctx context.Context, tx *models.Store, _ *runEnv, recs []*flowRec) (models.UpsertCounts, error) {
		return tx.Import.UpsertFlowRecords(ctx, embedded(recs, func(x *flowRec) *models.FlowRecord { return &x.FlowRecord }))
	},
}
