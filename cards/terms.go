package cards

import (
	"strings"
	"unicode"
)

// The glossary: one user-facing term per concept, shared by chat texts,
// cards and pages, so a rep never reads two words for one thing (a visit is
// 已计划 on the card and on /m/route alike). Add a concept here with its
// wrong wordings in Synonyms; TestGlossary* scan what users see for them.
const (
	// Visit states.
	TermPlanned    = "已计划"
	TermCheckedIn  = "已签到"
	TermCompleted  = "已完成"
	TermSkipped    = "已跳过"
	TermVerified   = "已核验"
	TermUnverified = "未核验"
	// Actions and their wording.
	TermResubmit   = "再提交"
	TermCheckIn    = "签到"
	TermNote       = "备注"
	TermAcceptPlan = "接受今日计划"
	// Clinic half-days (the data says AM / PM).
	TermAM = "上午"
	TermPM = "下午"
	// Ranking and alert vocabulary.
	TermSilent   = "沉默"
	TermHeat     = "热度"
	TermTier     = "分级"
	TermCoverage = "目标覆盖达成率"
	TermQuality  = "拜访质量分"
	// TermNone is shown where a figure has no data (an empty week), never 0% (0/0).
	TermNone = "—"
)

// Synonym is a wording users must not see, and the glossary term that says
// the same thing. ASCII wordings match only between non-alphanumerics
// ("AM" alone, not the "AM" of "AMap"; "0/0", not the "0/0" of "10/05").
type Synonym struct {
	Wrong string
	Term  string
}

// Synonyms maps every known stray wording to its glossary term. A wording
// that is part of its own term (none today) would be allowed inside it.
var Synonyms = []Synonym{
	{"计划中", TermPlanned},
	{"待拜访", TermPlanned},
	{"已打卡", TermCheckedIn},
	{"打卡", TermCheckIn},
	{"已略过", TermSkipped},
	{"未验证", TermUnverified},
	{"未校验", TermUnverified},
	{"已验证", TermVerified},
	{"已校验", TermVerified},
	{"再发送", TermResubmit},
	{"重新提交", TermResubmit},
	{"留言", TermNote},
	{"AM", TermAM},
	{"PM", TermPM},
	{"静默KOL", TermSilent},
	{"沉寂", TermSilent},
	{"热力值", TermHeat},
	{"活跃度", TermHeat},
	{"评级", TermTier},
	{"覆盖率", TermCoverage},
	{"质量评分", TermQuality},
	{"质量得分", TermQuality},
	{"0/0", TermNone},
}

// ForeignTerms lists the synonyms text uses instead of the glossary term,
// in Synonyms order (nil when the text keeps to the glossary).
func ForeignTerms(text string) []Synonym {
	var out []Synonym
	for _, s := range Synonyms {
		if usesWording(text, s) {
			out = append(out, s)
		}
	}
	return out
}

func usesWording(text string, s Synonym) bool {
	for from := 0; ; {
		i := strings.Index(text[from:], s.Wrong)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(s.Wrong)
		if !insideTerm(text, i, s) && (!isASCIIWord(s.Wrong) || wordBoundary(text, i, end)) {
			return true
		}
		from = end
	}
}

// insideTerm reports whether the wording at text[i:] is part of its own
// glossary term there.
func insideTerm(text string, i int, s Synonym) bool {
	k := strings.Index(s.Term, s.Wrong)
	return k >= 0 && i >= k && strings.HasPrefix(text[i-k:], s.Term)
}

func isASCIIWord(w string) bool {
	for _, r := range w {
		if r > unicode.MaxASCII {
			return false
		}
	}
	return true
}

func wordBoundary(text string, i, end int) bool {
	alnum := func(b byte) bool {
		return b < unicode.MaxASCII && (unicode.IsLetter(rune(b)) || unicode.IsDigit(rune(b)))
	}
	return (i == 0 || !alnum(text[i-1])) && (end == len(text) || !alnum(text[end]))
}

// Texts lists what a user reads on the card: titles, rows, options and
// button texts (never keys, ids or URLs), for checks such as ForeignTerms.
func (c Card) Texts() []string {
	out := []string{c.Source, c.Title, c.Desc, c.Subtitle, c.Quote, c.ReplaceText}
	if c.Emphasis != nil {
		out = append(out, c.Emphasis.Title, c.Emphasis.Desc)
	}
	for _, f := range c.Fields {
		out = append(out, f.Key, f.Value)
	}
	for _, l := range c.Links {
		out = append(out, l.Title)
	}
	for _, b := range c.Buttons {
		out = append(out, b.Text)
	}
	if c.Submit != nil {
		out = append(out, c.Submit.Text)
	}
	selects := c.Selects
	if c.Selection != nil {
		selects = append([]Select{*c.Selection}, selects...)
	}
	for _, s := range selects {
		out = append(out, s.Title)
		for _, o := range s.Options {
			out = append(out, o.Text)
		}
	}
	if c.Checkbox != nil {
		for _, o := range c.Checkbox.Options {
			out = append(out, o.Text)
		}
	}
	return out
}
