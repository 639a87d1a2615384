package importer

import (
	"fmt"
	"strings"
)

// Lang is the language of reports for people (import.lang): the admins who
// fix a company's files read Chinese; the English key of every problem is
// shown in both, so a message can be looked up and grepped.
type Lang string

// Report languages.
const (
	LangZH Lang = "zh"
	LangEN Lang = "en"
)

// ParseLang accepts zh (default, also "" and zh-CN) or en.
func ParseLang(s string) (Lang, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "zh", "zh-cn", "zh_cn", "cn":
		return LangZH, nil
	case "en", "en-us", "en_us":
		return LangEN, nil
	}
	return LangZH, fmt.Errorf("unknown report language %q: use zh or en", s)
}

// message is one kind of problem: English and Chinese templates whose
// arguments are strings referenced as %[n]s (so each language orders and
// omits them freely). groupEN/groupZH describe many rows at once when the
// arguments differ per row (e.g. "duplicate of row 5"); empty = same text.
type message struct {
	en, zh           string
	groupEN, groupZH string
}

// Problem keys. They are stable: reports, the ingest API and docs name them.
const (
	keyRequired          = "required"
	keyTooLong           = "too_long"
	keySpaces            = "has_spaces"
	keyNotNumber         = "not_number"
	keyRange             = "out_of_range"
	keyNotBool           = "not_bool"
	keyNotOneOf          = "not_one_of"
	keyUnknownKind       = "unknown_signal_kind"
	keyKindClass         = "kind_class_mismatch"
	keyNoClass           = "class_unknown_for_kind"
	keyNotDate           = "not_date"
	keyNotMonth          = "not_month"
	keyNotTime           = "not_time"
	keyCoords            = "coords_pair"
	keyListTooLong       = "list_too_long"
	keyDuplicate         = "duplicate_key"
	keyUnknownRef        = "unknown_ref"
	keyUnknownRefBundle  = "unknown_ref_in_bundle"
	keyRefusedRef        = "ref_row_refused"
	keyAmbiguousRef      = "ambiguous_ref"
	keyWrongRole         = "wrong_role"
	keySelfManager       = "own_manager"
	keyIDInUse           = "id_used_twice"
	keyIDTaken           = "id_taken"
	keyPhone             = "bad_phone"
	keyDoctorLevelRx     = "doctor_level_rx"
	keyCancelWeekday     = "cancel_with_weekday"
	keyCancelNeedsDate   = "cancel_needs_date"
	keySessionNeedsDay   = "session_needs_day"
	keySessionDayAndWeek = "session_day_and_weekday"
	keySessionPeriod     = "session_needs_period"
	keyUnknownField      = "unknown_field"
	keyJSONType          = "bad_json_type"
	keyMissingColumn     = "missing_column"
	keyDuplicateColumn   = "duplicate_column"
	keyEmptyFile         = "empty_file"
	keyUnreadable        = "unreadable_file"
)

var messages = map[string]message{
	keyRequired: {en: "is required", zh: "必填，不能为空"},
	keyTooLong: {en: "is %[1]s characters long; at most %[2]s allowed", zh: "长%[1]s个字符，最多%[2]s个",
		groupEN: "is too long; at most %[2]s characters allowed", groupZH: "过长，最多%[2]s个字符"},
	keySpaces:    {en: "must not contain spaces", zh: "不能包含空格"},
	keyNotNumber: {en: "is not a number", zh: "不是数字"},
	keyRange:     {en: "must be between %[1]s and %[2]s", zh: "须在%[1]s到%[2]s之间"},
	keyNotBool:   {en: "must be yes or no (是/否, true/false, 1/0)", zh: "须为是或否（是/否、true/false、1/0）"},
	keyNotOneOf: {en: "is not one of %[1]s (or map it in the mapping file under values)",
		zh: "不是可用的值（可用：%[1]s）；或在映射文件 values 中把它映射到其中之一"},
	keyUnknownKind: {en: "is not a known signal kind (%[1]s): map your label under values.kind, or add a rule for it",
		zh: "不是已知的信号类型（已知：%[1]s）；请在映射文件 values.kind 中映射，或为它配置规则"},
	keyKindClass: {en: "signal kind %[1]s belongs to class %[2]s, not %[3]s", zh: "信号类型 %[1]s 属于类别 %[2]s，不是 %[3]s"},
	keyNoClass: {en: "is required: kind %[1]s is not in the catalogue, so its class cannot be inferred",
		zh: "必填：信号类型 %[1]s 不在目录中，无法推断类别"},
	keyNotDate:     {en: "is not a date (expected 2026-05-01)", zh: "不是日期（应为 2026-05-01、2026/5/1 等）"},
	keyNotMonth:    {en: "is not a month (expected 2026-05)", zh: "不是月份（应为 2026-05、2026/5 等）"},
	keyNotTime:     {en: "is not a date or time (expected 2026-05-01 or 2026-05-01 14:30)", zh: "不是日期或时间（应为 2026-05-01 或 2026-05-01 14:30）"},
	keyCoords:      {en: "latitude and longitude must be given together", zh: "经度和纬度须同时填写"},
	keyListTooLong: {en: "is too long (at most %[1]s bytes)", zh: "过长（最多%[1]s字节）"},
	keyDuplicate: {en: "duplicate of row %[1]s (same key %[2]s)", zh: "与第%[1]s行重复（同一键 %[2]s）",
		groupEN: "duplicate key (the same as an earlier row)", groupZH: "与前面的行重复（同一键）"},
	// unknown_ref args: 1 English noun, 2 kind to import, 3 Chinese noun of
	// the value, 4 Chinese noun of the kind.
	keyUnknownRef: {en: "unknown %[1]s (import %[2]s first, or load them in the same bundle)",
		zh: "未知%[3]s（请先导入%[4]s，或放在同一批次中导入）"},
	keyUnknownRefBundle: {en: "unknown %[1]s: not in this bundle's %[2]s and not imported before",
		zh: "未知%[3]s：本批次的%[4]s文件中没有，系统中也没有"},
	// ref_row_refused args: 1-4 as unknown_ref, 5 file, 6 row.
	keyRefusedRef: {en: "%[1]s is in this import but its row was refused (%[5]s row %[6]s)",
		zh:      "该%[4]s在本次导入中，但其所在行有错误（%[5]s 第%[6]s行）",
		groupEN: "refers to a %[1]s whose own row was refused (fix that row first)", groupZH: "引用的%[4]s所在行有错误（请先修正那一行）"},
	// ambiguous_ref args: 1 candidates in English, 2 in Chinese.
	keyAmbiguousRef: {en: "matches several users: %[1]s; say which id the column holds under refs in the mapping file",
		zh:      "匹配到多个人员：%[2]s；请在映射文件 refs 中指明该列是哪种编号",
		groupEN: "matches several users", groupZH: "匹配到多个人员"},
	// wrong_role args: 1 actual role, 2 wanted role, 3/4 the same in Chinese.
	keyWrongRole:       {en: "is a %[1]s, not a %[2]s", zh: "此人是%[3]s，不是%[4]s"},
	keySelfManager:     {en: "a user cannot be their own manager", zh: "上级不能是本人"},
	keyIDInUse:         {en: "already used on row %[1]s", zh: "已在第%[1]s行使用", groupEN: "is used by two rows", groupZH: "被多行重复使用"},
	keyIDTaken:         {en: "already belongs to user %[1]s", zh: "已属于人员 %[1]s", groupEN: "already belongs to another user", groupZH: "已属于其他人员"},
	keyPhone:           {en: "must contain only digits, spaces, + and -", zh: "只能包含数字、空格、+ 和 -"},
	keyDoctorLevelRx:   {en: "%[1]s", zh: "医生级处方数据不允许导入（compliance.allow_doctor_level_rx 为 false）；请改用医院×科室×产品的流向数据（flow）"},
	keyCancelWeekday:   {en: "a 停诊 is for a date, not a weekday", zh: "停诊须填日期，不能填星期"},
	keyCancelNeedsDate: {en: "is required for a 停诊", zh: "停诊必须填写日期"},
	keySessionNeedsDay: {en: "a session needs a weekday or a date", zh: "出诊须填写星期或日期"},
	keySessionDayAndWeek: {en: "give a weekday or a date, not both",
		zh: "星期和日期只能填一个"},
	keySessionPeriod: {en: "a session needs 上午 or 下午 (AM / PM)", zh: "出诊须填写上午或下午"},
	keyUnknownField:  {en: "unknown field (fields: %[1]s)", zh: "未知字段（可用：%[1]s）"},
	keyJSONType:      {en: "must be a string, number, boolean or null", zh: "须为字符串、数字、布尔值或 null"},
	// missing_column args: 1 field, 2 accepted headers.
	keyMissingColumn: {en: "missing required column %[1]s (header %[2]s; or map your column to %[1]s under columns, or give a constant under defaults)",
		zh: "缺少必填列 %[1]s（表头可写作 %[2]s；或在映射文件 columns 中把您的列映射到 %[1]s，或在 defaults 中给定固定值）"},
	keyDuplicateColumn: {en: "column %[1]q also maps to field %[2]s; keep one", zh: "列「%[1]s」也映射到字段 %[2]s，请只保留一列"},
	keyEmptyFile:       {en: "the file is empty: expected a header row", zh: "文件为空：缺少表头行"},
	keyUnreadable:      {en: "cannot read the file: %[1]s", zh: "文件无法读取：%[1]s"},
}

// render fills the template of key in lang (group = the many-rows form).
func render(key string, args []string, lang Lang, group bool) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	t := m.en
	switch {
	case lang == LangZH && group && m.groupZH != "":
		t = m.groupZH
	case lang == LangZH:
		t = m.zh
	case group && m.groupEN != "":
		t = m.groupEN
	}
	if !strings.Contains(t, "%") {
		return t
	}
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a
	}
	return fmt.Sprintf(t, vals...)
}

// nouns name what a reference points at: English noun, the kind to
// import, Chinese noun of the value, Chinese noun of the kind.
var nouns = map[string][4]string{
	"hospitals": {"hospital", "hospitals", "医院编码", "医院"},
	"doctors":   {"doctor", "doctors", "医生编码", "医生"},
	"products":  {"product", "products", "产品编码", "产品"},
	"manager":   {"manager", "users", "上级", "人员"},
	"rep":       {"rep", "users", "代表", "人员"},
}

// roleNames are the Chinese names of roles for wrong_role.
var roleNames = map[string]string{"rep": "代表", "manager": "经理", "admin": "管理员"}
