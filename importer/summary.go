package importer

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"visitbot/models"
)

// Summary is what one import did, counted by kind: the message a caller
// (CLI, admin page, chat) sends to admins when an import ends, instead of
// one alert per imported row.
type Summary struct {
	At      time.Time   `json:"at"`
	DryRun  bool        `json:"dry_run,omitempty"`
	Written bool        `json:"written"`
	Kinds   []KindCount `json:"kinds"`
	// Signals describes the created signals: how many, of which classes, and
	// the span of their dates (history or news).
	Signals         SignalSpan `json:"signals"`
	CreatedProducts []string   `json:"created_products,omitempty"`
	// Problems counts row problems; HeaderProblems files that could not be read.
	Problems       int `json:"problems,omitempty"`
	HeaderProblems int `json:"header_problems,omitempty"`
}

// KindCount is one kind's totals over the files of an import.
type KindCount struct {
	Kind  string `json:"kind"`
	Files int    `json:"files"`
	Rows  int    `json:"rows"`
	models.UpsertCounts
	BadRows int `json:"bad_rows,omitempty"`
}

// SignalSpan describes created signals by class and date.
type SignalSpan struct {
	Created int            `json:"created"`
	ByClass map[string]int `json:"by_class,omitempty"`
	Oldest  time.Time      `json:"oldest,omitzero"`
	Newest  time.Time      `json:"newest,omitzero"`
}

func (s *SignalSpan) add(sig *models.Signal) {
	s.Created++
	if s.ByClass == nil {
		s.ByClass = map[string]int{}
	}
	s.ByClass[sig.Class]++
	if s.Oldest.IsZero() || sig.OccurredAt.Before(s.Oldest) {
		s.Oldest = sig.OccurredAt
	}
	if sig.OccurredAt.After(s.Newest) {
		s.Newest = sig.OccurredAt
	}
}

// summarize totals the files of res.
func (im *Importer) summarize(res Result, span *SignalSpan) Summary {
	s := Tally(res.Files)
	s.At, s.DryRun, s.Written = im.cfg.Clock.Now(), res.DryRun, res.Written
	if span != nil {
		s.Signals = *span
		s.Signals.Oldest, s.Signals.Newest = s.Signals.Oldest.In(im.cfg.Location), s.Signals.Newest.In(im.cfg.Location)
	}
	if !res.Written && !res.DryRun {
		s.Signals = SignalSpan{}
	}
	return s
}

// Tally totals the reports of files by kind (counts, problems, created
// products): the part of a Summary known before the import commits, which
// the admin page writes into its audit row inside the transaction.
func Tally(files []Report) Summary {
	var s Summary
	for _, f := range files {
		i := slices.IndexFunc(s.Kinds, func(k KindCount) bool { return k.Kind == f.Kind })
		if i < 0 {
			s.Kinds = append(s.Kinds, KindCount{Kind: f.Kind})
			i = len(s.Kinds) - 1
		}
		k := &s.Kinds[i]
		k.Files++
		k.Rows += f.Rows
		k.BadRows += f.BadRows
		k.UpsertCounts.Add(f.UpsertCounts)
		s.CreatedProducts = append(s.CreatedProducts, f.CreatedProducts...)
		s.Problems += f.ErrorCount
		s.HeaderProblems += len(f.Header)
	}
	return s
}

// Text is the summary as a short message in lang, one line per kind.
func (s Summary) Text(lang Lang) string {
	zh := lang == LangZH
	var b strings.Builder
	switch {
	case zh && s.Written:
		b.WriteString("导入完成：")
	case zh && s.DryRun:
		b.WriteString("试运行（未写入）：")
	case zh:
		b.WriteString("导入未完成，未写入任何数据：")
	case s.Written:
		b.WriteString("Import done: ")
	case s.DryRun:
		b.WriteString("Dry run (nothing written): ")
	default:
		b.WriteString("Import refused, nothing written: ")
	}
	if s.Problems > 0 || s.HeaderProblems > 0 {
		if zh {
			fmt.Fprintf(&b, "%d 处数据问题，%d 处文件问题", s.Problems, s.HeaderProblems)
		} else {
			fmt.Fprintf(&b, "%d row problems, %d file problems", s.Problems, s.HeaderProblems)
		}
	}
	for _, k := range s.Kinds {
		b.WriteString("\n")
		if zh {
			fmt.Fprintf(&b, "%s：%d 行，新建 %d，更新 %d，未变 %d", k.Kind, k.Rows, k.Created, k.Updated, k.Unchanged)
		} else {
			fmt.Fprintf(&b, "%s: %d rows, created %d, updated %d, unchanged %d", k.Kind, k.Rows, k.Created, k.Updated, k.Unchanged)
		}
		if k.BadRows > 0 {
			if zh {
				fmt.Fprintf(&b, "，有问题 %d 行", k.BadRows)
			} else {
				fmt.Fprintf(&b, ", %d bad rows", k.BadRows)
			}
		}
		if k.Kind == "signals" && s.Signals.Created > 0 {
			from, to := s.Signals.Oldest.Format("2006-01-02"), s.Signals.Newest.Format("2006-01-02")
			if zh {
				fmt.Fprintf(&b, "（新信号发生于 %s 至 %s）", from, to)
			} else {
				fmt.Fprintf(&b, " (new signals from %s to %s)", from, to)
			}
		}
	}
	if len(s.CreatedProducts) > 0 {
		if zh {
			b.WriteString("\n新建产品：" + strings.Join(s.CreatedProducts, "、"))
		} else {
			b.WriteString("\ncreated products: " + strings.Join(s.CreatedProducts, ", "))
		}
	}
	return b.String()
}
