package web

import (
	"fmt"
	"strings"
)

// Chart geometry (SVG user units; the SVG scales to the screen width).
const (
	chartW   = 320.0
	chartH   = 160.0
	chartTop = 18.0
	chartBot = 24.0 // room for the labels under the bars
)

// Bar is one bar of a server-rendered SVG bar chart.
type Bar struct {
	Label      string
	Value      string // the figure shown above the bar
	X, Y, W, H float64
	LabelX     float64
}

// BarChart is an SVG bar chart: bars scaled to the largest value.
type BarChart struct {
	ID, Title string
	W, H      float64
	Base      float64 // y of the axis
	Bars      []Bar
}

func barChart(id, title string, data []Count) BarChart {
	c := BarChart{ID: id, Title: title, W: chartW, H: chartH, Base: chartH - chartBot}
	top := 0
	for _, d := range data {
		top = max(top, d.N)
	}
	n := float64(max(len(data), 1))
	slot := chartW / n
	for i, d := range data {
		h := 0.0
		if top > 0 {
			h = float64(d.N) / float64(top) * (c.Base - chartTop)
		}
		x := float64(i)*slot + slot*0.15
		c.Bars = append(c.Bars, Bar{Label: d.Label, Value: fmt.Sprint(d.N), X: x, Y: c.Base - h, W: slot * 0.7, H: h, LabelX: x + slot*0.35})
	}
	return c
}

// LineChart is the plan-vs-actual trend: rates 0–100 % as a polyline.
type LineChart struct {
	ID, Title string
	W, H      float64
	Base      float64
	Points    string // "x,y x,y …" for <polyline>
	Dots      []Bar  // X,Y = the point; Value the percentage; Label the week
	Grid      []Bar  // Y and Value of the 0/50/100 % lines
}

func lineChart(id, title string, trend []WeekRate) LineChart {
	c := LineChart{ID: id, Title: title, W: chartW, H: chartH, Base: chartH - chartBot}
	span := c.Base - chartTop
	for _, g := range []float64{0, 0.5, 1} {
		c.Grid = append(c.Grid, Bar{Y: c.Base - g*span, Value: fmt.Sprintf("%.0f%%", g*100)})
	}
	slot := (chartW - 30) / float64(max(len(trend), 1))
	var pts []string
	for i, w := range trend {
		x := 30 + float64(i)*slot + slot/2
		y := c.Base - w.Rate*span
		label := w.Week
		if _, wk, ok := strings.Cut(w.Week, "-"); ok {
			label = wk
		}
		v := "—"
		if w.Planned > 0 {
			v = fmt.Sprintf("%.0f%%", w.Rate*100)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		}
		c.Dots = append(c.Dots, Bar{X: x, Y: y, Value: v, Label: label, H: float64(w.Planned)})
	}
	c.Points = strings.Join(pts, " ")
	return c
}
