package importer

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"visitbot/models"
)

// Report limits: a 100,000-row file with one wrong column must give a short
// report, not 100,000 lines. Every problem is counted; the first
// MaxRowErrors are kept in full, and each group keeps its first rows.
const (
	MaxRowErrors   = 5000
	maxGroups      = 200
	groupRows      = 5
	groupValues    = 3
	maxGroupValues = 40
)

// Report is the outcome of importing one file or ingest batch.
type Report struct {
	Kind string `json:"kind"`
	// File is the file name ("" for an ingest batch).
	File string `json:"file,omitempty"`
	// Rows is the number of data rows read; Skipped the bad ones left out with Partial.
	Rows    int `json:"rows"`
	Skipped int `json:"skipped,omitempty"`
	models.UpsertCounts
	// Header holds problems with the header (or the file as a whole): when
	// there are any, no row is read.
	Header []RowError `json:"header_errors,omitempty"`
	// Errors are the first MaxRowErrors problems of rows, in row order per chunk.
	Errors []RowError `json:"errors,omitempty"`
	// ErrorCount counts every row problem; BadRows the rows with any.
	ErrorCount int          `json:"error_count,omitempty"`
	BadRows    int          `json:"bad_rows,omitempty"`
	Groups     []ErrorGroup `json:"groups,omitempty"`
	// MoreGroups counts problems of groups beyond maxGroups.
	MoreGroups int      `json:"more_groups,omitempty"`
	Ignored    []string `json:"ignored_columns,omitempty"`
	// CreatedProducts are the product codes -create-missing products made.
	CreatedProducts []string `json:"created_products,omitempty"`
	DryRun          bool     `json:"dry_run,omitempty"`
	// Written is true when the transaction committed.
	Written bool `json:"written"`
}

// ErrorGroup is every problem with the same reason in the same column: its
// count and the first rows and values, so 712 identical problems read as one
// line an admin can act on.
type ErrorGroup struct {
	File   string   `json:"file,omitempty"`
	Column string   `json:"column,omitempty"`
	Field  string   `json:"field,omitempty"`
	Key    string   `json:"key"`
	Count  int      `json:"count"`
	Rows   []int    `json:"rows"`
	Values []string `json:"values,omitempty"`
	// Reason is the English text of the group.
	Reason string `json:"reason"`
	args   []string
	values map[string]bool
}

// Rejected reports whether the report has problems that keep a strict
// import from writing.
func (r *Report) Rejected() bool { return len(r.Header) > 0 || r.ErrorCount > 0 }

// addRow records the problems of one bad row.
func (r *Report) addRow(errs []RowError) {
	if len(errs) == 0 {
		return
	}
	r.BadRows++
	for _, e := range errs {
		e.File = r.File
		r.ErrorCount++
		if len(r.Errors) < MaxRowErrors {
			r.Errors = append(r.Errors, e)
		}
		r.group(e)
	}
}

func (r *Report) group(e RowError) {
	_, perRow := messages[e.Key]
	perRow = perRow && messages[e.Key].groupEN != ""
	reason := e.Reason
	if perRow {
		reason = render(e.Key, e.args, LangEN, true)
	}
	for i := range r.Groups {
		g := &r.Groups[i]
		if g.Key == e.Key && g.Field == e.Field && g.Column == e.Column && g.Reason == reason {
			g.add(e)
			return
		}
	}
	if len(r.Groups) >= maxGroups {
		r.MoreGroups++
		return
	}
	g := ErrorGroup{File: r.File, Column: e.Column, Field: e.Field, Key: e.Key, Reason: reason, args: e.args, values: map[string]bool{}}
	g.add(e)
	r.Groups = append(r.Groups, g)
}

func (g *ErrorGroup) add(e RowError) {
	g.Count++
	if len(g.Rows) < groupRows && !slices.Contains(g.Rows, e.Row) {
		g.Rows = append(g.Rows, e.Row)
	}
	if e.Value != "" && len(g.Values) < groupValues && !g.values[e.Value] && len(g.values) < maxGroupValues {
		g.values[e.Value] = true
		g.Values = append(g.Values, clip(e.Value, 30))
	}
}

// Text is the group as one line in lang, with the English key:
//
//	712 行：列「医生编码」(doctor_id) 未知医生编码（…）[unknown_ref]（如第2、3、4行：D9001、D9002）
func (g ErrorGroup) Text(lang Lang) string {
	msg := g.Reason
	if _, ok := messages[g.Key]; ok {
		msg = render(g.Key, g.args, lang, true)
	}
	rows := make([]string, len(g.Rows))
	for i, n := range g.Rows {
		rows[i] = strconv.Itoa(n)
	}
	w := wordingFor(lang)
	var b strings.Builder
	if lang == LangZH {
		fmt.Fprintf(&b, "%d 行：", g.Count)
	} else {
		noun := "rows"
		if g.Count == 1 {
			noun = "row"
		}
		fmt.Fprintf(&b, "%d %s: ", g.Count, noun)
	}
	if g.Column != "" {
		w.writeColumn(&b, g.Column, g.Field)
		b.WriteString(w.columnEnd)
	}
	fmt.Fprintf(&b, w.example, msg, g.Key, strings.Join(rows, w.list))
	if len(g.Values) > 0 {
		fmt.Fprintf(&b, w.values, strings.Join(g.Values, w.list))
	}
	b.WriteString(w.close)
	return b.String()
}

// Lines is the report for people in lang: header problems first, then one
// line per group of row problems, then the counts.
func (r *Report) Lines(lang Lang) []string {
	var out []string
	name := r.File
	if name == "" {
		name = r.Kind
	}
	zh := lang == LangZH
	if zh {
		out = append(out, fmt.Sprintf("%s（%s）：读取 %d 行", name, r.Kind, r.Rows))
	} else {
		out = append(out, fmt.Sprintf("%s (%s): %d rows read", name, r.Kind, r.Rows))
	}
	if len(r.Ignored) > 0 {
		if zh {
			out = append(out, "  未使用的列（未映射到任何字段）："+strings.Join(r.Ignored, "、"))
		} else {
			out = append(out, "  ignored columns (not mapped to any field): "+strings.Join(r.Ignored, ", "))
		}
	}
	for _, h := range r.Header {
		if zh {
			out = append(out, "  表头问题："+headerLine(h, lang))
		} else {
			out = append(out, "  header problem: "+headerLine(h, lang))
		}
	}
	if r.ErrorCount > 0 {
		if zh {
			out = append(out, fmt.Sprintf("  %d 行有问题（共 %d 处）：", r.BadRows, r.ErrorCount))
		} else {
			out = append(out, fmt.Sprintf("  %d bad rows (%d problems):", r.BadRows, r.ErrorCount))
		}
		for _, g := range r.Groups {
			out = append(out, "    "+g.Text(lang))
		}
		if r.MoreGroups > 0 {
			if zh {
				out = append(out, fmt.Sprintf("    另有 %d 处其他问题", r.MoreGroups))
			} else {
				out = append(out, fmt.Sprintf("    and %d more problems of other kinds", r.MoreGroups))
			}
		}
	}
	if len(r.CreatedProducts) > 0 {
		if zh {
			out = append(out, "  新建产品："+strings.Join(r.CreatedProducts, "、"))
		} else {
			out = append(out, "  created products: "+strings.Join(r.CreatedProducts, ", "))
		}
	}
	out = append(out, "  "+r.countsLine(lang))
	return out
}

func headerLine(h RowError, lang Lang) string {
	if lang == LangZH {
		return fmt.Sprintf("%s [%s]", h.Message(lang), h.Key)
	}
	return fmt.Sprintf("%s [%s]", h.Reason, h.Key)
}

func (r *Report) countsLine(lang Lang) string {
	c := r.UpsertCounts
	zh := lang == LangZH
	var s string
	switch {
	case r.Written && zh:
		s = fmt.Sprintf("已写入：新建 %d，更新 %d，未变 %d", c.Created, c.Updated, c.Unchanged)
	case r.Written:
		s = fmt.Sprintf("created %d, updated %d, unchanged %d", c.Created, c.Updated, c.Unchanged)
	case r.DryRun && len(r.Header) == 0 && zh:
		s = fmt.Sprintf("试运行，未写入：将新建 %d，更新 %d，未变 %d", c.Created, c.Updated, c.Unchanged)
	case r.DryRun && len(r.Header) == 0:
		s = fmt.Sprintf("dry run, nothing written: would create %d, update %d, leave %d unchanged", c.Created, c.Updated, c.Unchanged)
	case zh:
		s = "未写入"
	default:
		s = "nothing written"
	}
	if r.Skipped > 0 {
		if zh {
			s += fmt.Sprintf("，跳过 %d 个有问题的行", r.Skipped)
		} else {
			s += fmt.Sprintf(", skipped %d bad rows", r.Skipped)
		}
	}
	return s
}
