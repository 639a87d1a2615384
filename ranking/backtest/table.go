package backtest

import (
	"fmt"
	"io"
)

// WriteTable prints the report as a Markdown table (BENCHMARKS.md, the CLI).
func WriteTable(w io.Writer, r Report) error {
	_, err := fmt.Fprintf(w, "%s .. %s, %d days, %d rep-days, against the %s\n\n"+
		"| method | precision@5 | rank corr. | route km/day | high-value never listed | risers surfaced | median lag (days) | weekly repetition |\n"+
		"|---|---|---|---|---|---|---|---|\n", r.From, r.To, r.Days, r.RepDays, r.Against)
	if err != nil {
		return err
	}
	for _, x := range r.Rows {
		lag, risers := "–", "–"
		if x.Risers > 0 {
			risers = fmt.Sprintf("%d / %d", x.RisersSurfaced, x.Risers)
		}
		if x.MedianLagDays >= 0 {
			lag = fmt.Sprintf("%.1f", x.MedianLagDays)
		}
		if _, err := fmt.Fprintf(w, "| %s | %.3f | %.3f | %.1f | %d / %d | %s | %s | %.0f%% |\n", x.Method, x.PrecisionAt5, x.RankCorr,
			x.RouteKM, x.HighNeverListed, x.HighDoctors, risers, lag, 100*x.WeeklyRepetition); err != nil {
			return err
		}
	}
	return nil
}
