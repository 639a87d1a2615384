package importer

import (
	"context"
	"strings"

	"visitbot/models"
	"visitbot/signals"
)

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
	about:    "signals (信号) about doctors: id, doctor code, kind (class inferred), value, time; doctor-level prescriptions are refused",
	keyField: "external_id",
	list: []Field{
		{Name: "external_id", Header: "信号编码", Aliases: []string{"signal_id", "编号", "记录编号", "事件编号", "事件ID"}, Required: true, Help: "unique id of the event in your system"},
		{Name: "doctor_id", Header: "医生编码", Aliases: []string{"医生代码", "doctor", "客户编码"}, Required: true},
		{Name: "class", Header: "信号类别", Aliases: []string{"类别", "category"}, choices: classLabels,
			Help: "filing / meeting / lecture / competitor / trial / digital / visit (备案 学术会议 线上讲座 竞品 临床试验 数字互动 拜访); default: the kind's class"},
		{Name: "kind", Header: "信号类型", Aliases: []string{"类型", "type"}, Required: true, Help: "a known kind, e.g. lecture_attend, leaflet_view, trial_investigator (see the kinds below)"},
		{Name: "value", Header: "数值", Aliases: []string{"值"}, Help: "default 1"},
		{Name: "occurred_at", Header: "发生时间", Aliases: []string{"时间", "日期", "time", "date", "事件时间", "发生日期"}, Required: true,
			Help: "2026-05-01 or 2026-05-01 14:30 (business time zone), 2026/5/1, an Excel date, or RFC 3339"},
		{Name: "source", Header: "来源", Aliases: []string{"数据来源"}},
		{Name: "detail", Header: "说明", Aliases: []string{"备注", "note", "详情"}},
	},
	parseRow: parseSignal,
	key:      func(x *signalRec) string { return x.ExternalID },
	resolve: func(ctx context.Context, tx *models.Store, env *runEnv, items []*item[signalRec]) error {
		docs, err := env.codeIDs(ctx, tx, "doctors", collect(items, func(x *signalRec) string { return x.doctor }))
		if err != nil {
			return err
		}
		for _, it := range items {
			it.rec.DoctorID = resolveRef(it, env, docs, "doctor_id", it.rec.doctor, "doctors")
		}
		return nil
	},
	write: writeSignals,
}

// parseSignal reads a signal: the kind must be known (a rule or an alert
// reads it), the class is the kind's when the file has none, and
// doctor-level prescription data is refused unless allowed.
func parseSignal(r *rowReader) *signalRec {
	x := &signalRec{doctor: r.id("doctor_id", 64, true)}
	x.ExternalID = r.id("external_id", 128, true)
	x.Class = r.choice("class", classLabels, false)
	rawKind := r.code("kind")
	x.Value = r.num("value", false, -1e9, 1e9, 1)
	x.OccurredAt = r.instant("occurred_at", true)
	x.Source = r.str("source", 32, false)
	x.Detail = r.str("detail", 255, false)
	if rawKind == "" {
		r.fail("kind", "", keyRequired)
		return x
	}
	if err := models.CheckSignalCompliance(x.Class, rawKind, r.env.im.cfg.AllowDoctorLevelRx); err != nil {
		r.fail("class", r.raw("class"), keyDoctorLevelRx, err.Error())
		return x
	}
	k, known := r.env.kinds.lookup(rawKind)
	switch {
	case !known:
		r.fail("kind", rawKind, keyUnknownKind, r.env.kinds.names())
		return x
	case x.Class == "" && r.raw("class") == "" && k.Class == "":
		r.fail("class", "", keyNoClass, k.Name)
	case x.Class == "" && r.raw("class") == "":
		x.Class = k.Class
	case x.Class != "" && k.Class != "" && x.Class != k.Class:
		r.fail("kind", rawKind, keyKindClass, k.Name, k.Class, x.Class)
	}
	x.Kind = k.Name
	if err := models.CheckSignalCompliance(x.Class, x.Kind, r.env.im.cfg.AllowDoctorLevelRx); err != nil && len(r.errs) == 0 {
		r.fail("class", r.raw("class"), keyDoctorLevelRx, err.Error())
	}
	return x
}

// writeSignals upserts signals and keeps the created ones (with their
// dates) for the alert hook and the summary.
func writeSignals(ctx context.Context, tx *models.Store, env *runEnv, recs []*signalRec) (models.UpsertCounts, error) {
	counts, created, err := tx.Import.UpsertSignals(ctx, embedded(recs, func(x *signalRec) *models.Signal { return &x.Signal }))
	if err != nil {
		return counts, err
	}
	hook, keep := env.im.cfg.OnSignals != nil, env.im.cfg.KeepSignal
	for _, s := range created {
		env.batch.span.add(s)
		if hook && (keep == nil || keep(*s)) {
			env.batch.created = append(env.batch.created, *s)
		}
	}
	return counts, nil
}

// kindsHelp lists the known signal kinds for `import -h` and templates.
func kindsHelp(kinds []SignalKind) []string {
	out := make([]string, 0, len(kinds))
	for _, k := range kinds {
		line := k.Name + " (" + k.Class
		if k.Label != "" {
			line += ", " + k.Label
		}
		line += ")"
		if k.UsedBy != "" {
			line += " — " + k.UsedBy
		}
		out = append(out, line)
	}
	return out
}

// KindsHelp is the list of known signal kinds, one line each, for help texts.
func (im *Importer) KindsHelp() string { return strings.Join(kindsHelp(im.kinds.list), "\n") }

// BuiltinKindsHelp is KindsHelp without the configured rules' kinds.
func BuiltinKindsHelp() string { return strings.Join(kindsHelp(builtinKinds), "\n") }
