package sim

import (
	"math"
	"math/rand/v2"
	"time"

	"visitbot/ranking"
	"visitbot/ranking/backtest"
)

// flowRow is one month of hospital × department × product flow.
type flowRow struct {
	hosp    *hospital
	dept    string
	product int
	month   string
	qty     float64
}

// FlowMonthsBefore is how many months of flow precede Start.
const FlowMonthsBefore = 6

// flow is the market's monthly flow: a base per department plus the true
// value of its doctors in mid-month, with noise. A department whose doctors
// rise grows; flow is known per department only, never per doctor.
func (m *Market) flow() []flowRow {
	rng := rand.New(rand.NewPCG(m.o.Seed, 0xf10))
	byDept := map[*hospital]map[string][]*doctor{}
	for _, d := range m.doctors {
		if byDept[d.hosp] == nil {
			byDept[d.hosp] = map[string][]*doctor{}
		}
		byDept[d.hosp][d.dept] = append(byDept[d.hosp][d.dept], d)
	}
	last := Start.AddDate(0, 0, m.o.Days-1)
	var out []flowRow
	for _, h := range m.hospitals {
		for _, dept := range h.depts {
			for p := range products {
				for mo := time.Date(Start.Year(), Start.Month()-FlowMonthsBefore, 1, 0, 0, 0, 0, time.UTC); !mo.After(last); mo = mo.AddDate(0, 1, 0) {
					mid := int(mo.AddDate(0, 0, 14).Sub(Start).Hours() / 24)
					q := 30.0
					for _, d := range byDept[h][dept] {
						q += 150 * d.value(mid)
					}
					q *= (1 + 0.06*rng.NormFloat64()) * (0.6 + 0.4*float64(p))
					out = append(out, flowRow{hosp: h, dept: dept, product: p, month: mo.Format("2006-01"), qty: math.Round(math.Max(0, q))})
				}
			}
		}
	}
	return out
}

// History is the market as a backtest reads it, with the simulation's own
// ids (the importer assigns others; truth names doctors by code either way).
func (m *Market) History() *backtest.History {
	h := &backtest.History{Hospitals: map[uint]backtest.Hospital{}, Loc: Zone}
	for _, x := range m.hospitals {
		h.Hospitals[x.id] = backtest.Hospital{ID: x.id, Code: x.code, Level: x.lvl.store, Loc: x.loc}
	}
	for i, r := range m.reps {
		h.Reps = append(h.Reps, backtest.Rep{ID: uint(i + 1), Code: r.code, Start: r.start})
	}
	seen := map[ranking.Event]bool{}
	for _, d := range m.doctors {
		for i, sg := range d.signals {
			e := ranking.Event{Kind: sg.Kind, Series: ranking.SeriesName(d.detail[i]), Day: sg.At.In(Zone).Format(time.DateOnly)}
			if sg.Value > 0 && !seen[e] {
				seen[e] = true
				h.Events = append(h.Events, e)
			}
		}
	}
	for _, d := range m.doctors {
		h.Reps[d.rep].Doctors = append(h.Reps[d.rep].Doctors, d.id)
		h.Doctors = append(h.Doctors, backtest.Doctor{
			Doctor: ranking.Doctor{ID: d.id, HospitalID: d.hosp.id, Department: d.dept, Title: d.title, KOL: d.kol,
				Roles: d.roles, Signals: d.signals},
			Code: d.code, LegacyTier: d.legacyTier, Sessions: d.sessions, Cancellations: d.cancels,
		})
	}
	for _, f := range m.flow() {
		h.Flow = append(h.Flow, ranking.FlowPoint{HospitalID: f.hosp.id, Department: f.dept, ProductID: uint(f.product + 1), Month: f.month, Quantity: f.qty})
	}
	h.Normalize()
	return h
}

// EvalFrom and EvalTo bound the period a backtest of this market is for.
func (m *Market) EvalFrom() string { return dayString(m.o.Days - m.o.EvalDays) }

// EvalTo is the last simulated day.
func (m *Market) EvalTo() string { return dayString(m.o.Days - 1) }

// CompetitorSign is +1 when competitor contacts go with high value here, -1 with low.
func (m *Market) CompetitorSign() int { return m.competSgn }

// Truth is the answer key: every doctor's true value per day, the
// high-value line, the risers (the day each crosses it) and the doctors
// high-value on every day of the evaluated period.
func (m *Market) Truth() *backtest.Truth {
	t := &backtest.Truth{Start: dayString(0), HighAt: m.highAt, Values: map[string][]float64{}, Risers: map[string]string{}}
	evalFrom := m.o.Days - m.o.EvalDays
	for _, d := range m.doctors {
		vs := make([]float64, m.o.Days)
		steady := true
		for day := range vs {
			vs[day] = math.Round(d.value(day)*1e4) / 1e4
			if day >= evalFrom && vs[day] < m.highAt {
				steady = false
			}
		}
		t.Values[d.code] = vs
		if steady {
			t.SteadyHigh = append(t.SteadyHigh, d.code)
		}
		if d.kind == rising {
			for day := d.from; day < m.o.Days; day++ {
				if d.value(day) >= m.highAt {
					t.Risers[d.code] = dayString(day)
					break
				}
			}
		}
	}
	return t
}
