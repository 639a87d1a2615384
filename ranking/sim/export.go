package sim

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"visitbot/ranking"
)

// TruthFile is the answer key's file name next to the bundle (not part of
// it: a company has no truth).
const TruthFile = "truth.json"

// events maps the simulation's signal kinds to the labels of the market's
// interaction export (互动记录.csv), which mappings/signals.yaml maps back.
var events = []struct{ kind, label string }{
	{"lecture_attend", "讲座签到"}, {"meeting_attend", "参会"}, {"meeting_speaker", "会议发言"},
	{"leaflet_view", "说明书浏览"}, {"leaflet_search", "说明书检索"}, {"material_open", "资料打开"},
	{"competitor_event", "竞品活动"}, {"competitor_meeting", "竞品会议"}, {"competitor_visit", "竞品拜访"},
	{"trial_investigator", "研究者"}, {"trial_enrolled", "研究入组"},
	{"visit_met", "拜访-见到"}, {"visit_no_show", "拜访-未见"}, {"visit_positive", "拜访-积极"},
}

// Export writes the market as a company would hand it over — CSV files with
// the company's own headers and labels, a mapping per file and bundle.yaml,
// loadable with `visitbot import bundle DIR` — plus truth.json beside it.
// dir must not exist or be empty.
func (m *Market) Export(dir string) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("sim export: %s is not empty", dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("sim export: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "mappings"), 0o755); err != nil {
		return fmt.Errorf("sim export: %w", err)
	}
	files := map[string][][]string{
		"医院主数据.csv": m.hospitalRows(), "员工.csv": m.userRows(), "客户主数据.csv": m.doctorRows(),
		"客户负责.csv": m.assignmentRows(), "排班.csv": m.sessionRows(), "流向.csv": m.flowRows(), "互动记录.csv": m.signalRows(),
	}
	for name, rows := range files {
		if err := writeCSV(filepath.Join(dir, name), rows); err != nil {
			return err
		}
	}
	for name, text := range mappings() {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return fmt.Errorf("sim export: %w", err)
		}
	}
	b, err := json.Marshal(m.Truth())
	if err != nil {
		return fmt.Errorf("sim export: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, TruthFile), b, 0o644); err != nil {
		return fmt.Errorf("sim export: %w", err)
	}
	return nil
}

func writeCSV(path string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("sim export: %w", err)
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		f.Close()
		return fmt.Errorf("sim export %s: %w", filepath.Base(path), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sim export: %w", err)
	}
	return nil
}

func coord(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }

func (m *Market) hospitalRows() [][]string {
	rows := [][]string{{"终端代码", "终端名称", "终端级别", "城市", "纬度", "经度"}}
	for _, h := range m.hospitals {
		rows = append(rows, []string{h.code, h.name, h.lvl.name, "上海", coord(h.loc.Lat), coord(h.loc.Lng)})
	}
	return rows
}

func (m *Market) userRows() [][]string {
	rows := [][]string{{"工号", "姓名", "岗位", "上级", "辖区", "出发纬度", "出发经度", "在职状态"},
		{"M0001", "区域经理", "地区经理", "", "", "", "", "在职"},
		{"A0001", "运营专员", "运营专员", "", "", "", "", "在职"}}
	for i, r := range m.reps {
		rows = append(rows, []string{r.code, fmt.Sprintf("代表%02d", i+1), "医药代表", "M0001", fmt.Sprintf("辖区%02d", i+1), coord(r.start.Lat), coord(r.start.Lng), "在职"})
	}
	return rows
}

var roleLabel = map[string]string{ranking.RoleFormulary: "药事会委员", ranking.RoleInsuranceAdvocate: "医保专家"}

func (m *Market) doctorRows() [][]string {
	rows := [][]string{{"客户代码", "客户名称", "终端代码", "科室", "职称", "核心客户", "学术职务", "客户分级"}}
	for _, d := range m.doctors {
		var roles []string
		for _, r := range d.roles {
			roles = append(roles, roleLabel[r])
		}
		kol := "否"
		if d.kol {
			kol = "是"
		}
		rows = append(rows, []string{d.code, d.name, d.hosp.code, d.dept, d.titleLabel, kol, strings.Join(roles, "、"), d.legacyTier + "类"})
	}
	return rows
}

func (m *Market) assignmentRows() [][]string {
	rows := [][]string{{"工号", "客户代码"}}
	for _, d := range m.doctors {
		rows = append(rows, []string{m.reps[d.rep].code, d.code})
	}
	return rows
}

var weekdays = []string{"", "周一", "周二", "周三", "周四", "周五", "周六", "周日"}

func (m *Market) sessionRows() [][]string {
	rows := [][]string{{"客户代码", "类型", "星期", "日期", "时段"}}
	period := map[string]string{ranking.PeriodAM: "上午", ranking.PeriodPM: "下午"}
	for _, d := range m.doctors {
		for _, s := range d.sessions {
			rows = append(rows, []string{d.code, "出诊", weekdays[s.Weekday], "", period[s.Period]})
		}
		for _, c := range d.cancels {
			rows = append(rows, []string{d.code, "停诊", "", c.Day, "全天"})
		}
	}
	return rows
}

func (m *Market) flowRows() [][]string {
	rows := [][]string{{"终端代码", "科室", "产品代码", "产品名称", "月份", "数量"}}
	for _, f := range m.flow() {
		rows = append(rows, []string{f.hosp.code, f.dept, products[f.product].code, products[f.product].name, f.month, strconv.FormatFloat(f.qty, 'f', 0, 64)})
	}
	return rows
}

func (m *Market) signalRows() [][]string {
	label := map[string]string{}
	for _, e := range events {
		label[e.kind] = e.label
	}
	rows := [][]string{{"记录号", "客户代码", "事件", "时间", "渠道", "描述"}}
	n := 0
	for _, d := range m.doctors {
		for i, s := range d.signals {
			n++
			rows = append(rows, []string{fmt.Sprintf("EV%07d", n), d.code, label[s.Kind], s.At.In(Zone).Format("2006-01-02 15:04"), channel(s.Class), d.detail[i]})
		}
	}
	return rows
}

func channel(class string) string {
	switch class {
	case ranking.ClassLecture:
		return "线上讲座平台"
	case ranking.ClassDigital:
		return "微信公众号"
	case ranking.ClassVisit:
		return "CRM拜访"
	case ranking.ClassCompetitor:
		return "市场情报"
	}
	return "CRM"
}

// mappings are the bundle's YAML files: what each column and label means.
func mappings() map[string]string {
	var class, kind strings.Builder
	for _, e := range events {
		c := strings.SplitN(e.kind, "_", 2)[0]
		switch c {
		case "leaflet", "material":
			c = ranking.ClassDigital
		}
		fmt.Fprintf(&class, "    %s: %s\n", e.label, c)
		fmt.Fprintf(&kind, "    %s: %s\n", e.label, e.kind)
	}
	return map[string]string{
		"bundle.yaml": `# 模拟市场的导出文件（公司自己的表头与取值），由 mappings/ 下的映射文件说明。
files:
  - {kind: hospitals, file: 医院主数据.csv, mapping: mappings/hospitals.yaml}
  - {kind: users, file: 员工.csv, mapping: mappings/users.yaml}
  - {kind: doctors, file: 客户主数据.csv, mapping: mappings/doctors.yaml}
  - {kind: assignments, file: 客户负责.csv, mapping: mappings/assignments.yaml}
  - {kind: sessions, file: 排班.csv, mapping: mappings/sessions.yaml}
  - {kind: flow, file: 流向.csv, mapping: mappings/flow.yaml}
  - {kind: signals, file: 互动记录.csv, mapping: mappings/signals.yaml}
create_missing: [products]
`,
		"mappings/hospitals.yaml": `kind: hospitals
columns: {终端代码: external_id, 终端名称: name, 终端级别: level, 城市: city, 纬度: lat, 经度: lng}
`,
		"mappings/users.yaml": `kind: users
columns: {工号: [user_id, employee_no], 姓名: name, 岗位: role, 上级: manager_id, 辖区: territory, 出发纬度: start_lat, 出发经度: start_lng, 在职状态: active}
values:
  role: {医药代表: rep, 地区经理: manager, 运营专员: admin}
  active: {在职: true, 离职: false}
`,
		"mappings/doctors.yaml": `kind: doctors
columns: {客户代码: external_id, 客户名称: name, 终端代码: hospital_id, 科室: department, 职称: title, 核心客户: is_kol, 学术职务: roles, 客户分级: legacy_tier}
values:
  roles: {医保专家: insurance_advocate}
  legacy_tier: {A类: A, B类: B, C类: C}
`,
		"mappings/assignments.yaml": `kind: assignments
columns: {工号: rep_id, 客户代码: doctor_id}
refs: {rep_id: employee_no}
`,
		"mappings/sessions.yaml": `kind: sessions
columns: {客户代码: doctor_id, 类型: type, 星期: weekday, 日期: date, 时段: period}
`,
		"mappings/flow.yaml": `kind: flow
columns: {终端代码: hospital_id, 科室: department, 产品代码: product_code, 产品名称: product_name, 月份: month, 数量: quantity}
`,
		"mappings/signals.yaml": `kind: signals
columns: {记录号: external_id, 客户代码: doctor_id, 事件: [class, kind, value], 时间: occurred_at, 渠道: source, 描述: detail}
values:
  class:
` + class.String() + `  kind:
` + kind.String() + `  value: {拜访-未见: 0, "*": 1}
`,
	}
}
