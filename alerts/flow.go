package alerts

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// FlowPoint is one month of flow data (流向) of a hospital × department ×
// product (models.FlowRecord); products are summed per department.
type FlowPoint struct {
	HospitalID uint
	Department string
	Month      string // "2026-11"
	Quantity   float64
}

// Site is a hospital × department the flow detector watches. Only key
// sites (a tertiary-A hospital, or a department with a KOL) raise alerts.
type Site struct {
	HospitalID uint
	Hospital   string
	Department string
	Key        bool
}

// SiteKey identifies a site.
type SiteKey struct {
	HospitalID uint
	Department string
}

// FlowDrops compares, for every key site, its newest month up to asOfMonth
// with the calendar month before it, and reports a drop of at least
// t.FlowDropPct percent from a previous month of at least t.FlowMinBase.
// The subject includes the month, so one drop is reported once.
func FlowDrops(points []FlowPoint, sites map[SiteKey]Site, asOfMonth string, t Thresholds) ([]Candidate, error) {
	if _, err := time.Parse("2006-01", asOfMonth); err != nil {
		return nil, fmt.Errorf("flow drops: bad month %q: %w", asOfMonth, err)
	}
	qty := map[SiteKey]map[string]float64{}
	latest := map[SiteKey]string{}
	for _, p := range points {
		if p.Month > asOfMonth {
			continue
		}
		k := SiteKey{p.HospitalID, p.Department}
		if qty[k] == nil {
			qty[k] = map[string]float64{}
		}
		qty[k][p.Month] += p.Quantity
		if p.Month > latest[k] {
			latest[k] = p.Month
		}
	}
	var out []Candidate
	for k, month := range latest {
		site, ok := sites[k]
		if !ok || !site.Key {
			continue
		}
		m, err := time.Parse("2006-01", month)
		if err != nil {
			return nil, fmt.Errorf("flow drops: bad month %q: %w", month, err)
		}
		prevMonth := m.AddDate(0, -1, 0).Format("2006-01")
		prev, ok := qty[k][prevMonth]
		if !ok || prev <= 0 || prev < t.FlowMinBase {
			continue
		}
		cur := qty[k][month]
		drop := (prev - cur) / prev * 100
		if drop < t.FlowDropPct {
			continue
		}
		pct := int(math.Round(drop))
		out = append(out, Candidate{
			Kind: KindFlowDrop, SubjectKey: fmt.Sprintf("flow:%d:%s:%s", k.HospitalID, shortHash(k.Department), month),
			HospitalID: k.HospitalID, Department: k.Department, Once: true, Severity: SeverityNormal,
			Title:         fmt.Sprintf("流向下降：%s %s", site.Hospital, k.Department),
			EmphasisTitle: fmt.Sprintf("-%d%%", pct), EmphasisDesc: "流向环比下降",
			Reasons: []string{
				fmt.Sprintf("%d月 %s → %d月 %s（科室合计）", int(m.AddDate(0, -1, 0).Month()), qtyText(prev), int(m.Month()), qtyText(cur)),
				fmt.Sprintf("环比下降%d%%，超过提醒阈值%d%%，建议了解科室用药变化", pct, int(math.Round(t.FlowDropPct))),
			},
		})
		if drop >= 2*t.FlowDropPct {
			out[len(out)-1].Severity = SeverityHigh
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SubjectKey < out[j].SubjectKey })
	return out, nil
}

func qtyText(q float64) string { return fmt.Sprintf("%d", int64(math.Round(q))) }
