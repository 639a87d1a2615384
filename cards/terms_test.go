package cards

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestForeignTerms(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string // wrong wordings found
	}{
		{"冯医生 · 市一医院｜已计划", nil},
		{"状态：计划中", []string{"计划中"}},
		{"请选择后再发送。", []string{"再发送"}},
		{"周三AM门诊", []string{"AM"}},
		{"AM", []string{"AM"}},
		{"打开 AMap 导航", nil},
		{"https://uri.amap.com/navigation", nil},
		{"本周 0% (0/0)", []string{"0/0"}},
		{"12/10/05", nil},
		{"签到未验证，已打卡", []string{"已打卡", "打卡", "未验证"}},
		{"S/A 覆盖率", []string{"覆盖率"}},
		{"目标覆盖达成率 80%", nil},
	} {
		var got []string
		for _, s := range ForeignTerms(c.text) {
			got = append(got, s.Wrong)
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("ForeignTerms(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// TestSynonymsPointAtGlossaryTerms: every synonym names a term and is not
// itself a glossary term (a table entry could otherwise forbid the word).
func TestSynonymsPointAtGlossaryTerms(t *testing.T) {
	terms := map[string]bool{TermPlanned: true, TermCheckedIn: true, TermCompleted: true, TermSkipped: true, TermVerified: true,
		TermUnverified: true, TermResubmit: true, TermCheckIn: true, TermNote: true, TermAcceptPlan: true, TermAM: true, TermPM: true,
		TermSilent: true, TermHeat: true, TermTier: true, TermCoverage: true, TermQuality: true, TermNone: true}
	seen := map[string]bool{}
	for _, s := range Synonyms {
		if !terms[s.Term] {
			t.Errorf("synonym %q points at %q, not a glossary term", s.Wrong, s.Term)
		}
		if terms[s.Wrong] || seen[s.Wrong] {
			t.Errorf("synonym %q is a glossary term or listed twice", s.Wrong)
		}
		seen[s.Wrong] = true
		for term := range terms {
			if strings.Contains(term, s.Wrong) && term != s.Term {
				t.Errorf("synonym %q would forbid part of the term %q", s.Wrong, term)
			}
		}
	}
}

// TestGlossaryOverGoldenCards scans every rendered golden card (WeCom
// template cards, DingTalk params and fallbacks, neutral cards) for a
// wording outside the glossary.
func TestGlossaryOverGoldenCards(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.golden.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cards: %v", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, s := range visibleStrings(v) {
			for _, bad := range ForeignTerms(s) {
				t.Errorf("%s: %q says %q; the glossary term is %q", filepath.Base(f), s, bad.Wrong, bad.Term)
			}
		}
	}
}

// visibleStrings collects the string values of a rendered card, skipping
// URLs; values that are JSON themselves (DingTalk's cardParamMap) are opened.
func visibleStrings(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		if strings.HasPrefix(x, "http://") || strings.HasPrefix(x, "https://") {
			return nil
		}
		var inner any
		if (strings.HasPrefix(x, "{") || strings.HasPrefix(x, "[")) && json.Unmarshal([]byte(x), &inner) == nil {
			return visibleStrings(inner)
		}
		return []string{x}
	case []any:
		for _, e := range x {
			out = append(out, visibleStrings(e)...)
		}
	case map[string]any:
		for k, e := range x {
			if k == "url" || k == "task_id" || k == "key" || k == "question_key" || k == "id" {
				continue
			}
			out = append(out, visibleStrings(e)...)
		}
	}
	return out
}

func TestCardTextsSkipKeysAndURLs(t *testing.T) {
	c := VisitList(VisitListInput{TaskID: "t1", RepName: "张三", Items: []VisitItem{{Rank: 1, DoctorID: 1, DoctorName: "冯伟", Title: "chief", Hospital: "市一医院", Heat: 61, Period: "AM", Lat: 30.2, Lng: 120.1}}})
	joined := strings.Join(c.Texts(), "\n")
	if strings.Contains(joined, "http") || strings.Contains(joined, ActionPlanAccept) || !strings.Contains(joined, TextAcceptPlan) {
		t.Fatalf("Texts = %q", c.Texts())
	}
	for _, s := range c.Texts() {
		if bad := ForeignTerms(s); bad != nil {
			t.Errorf("visit card %q uses %v", s, bad)
		}
	}
}
