package importer

import (
	"strings"
)

// header is how one input's columns map to its kind's fields.
type header struct {
	kind *kindInfo
	// row is the header's row number (0 for JSON).
	row int
	// colOf is the column position of each field (by field index), -1 = none.
	colOf []int
	// label is each field's column as the source names it ("" = none).
	label []string
	// defaults are the mapping's constants per field index.
	defaults []string
	ignored  []string
	problems []RowError
}

// column is the source's name for field (the field name when absent).
func (h *header) column(field string) string {
	if i, ok := h.kind.index[field]; ok && h.label[i] != "" {
		return h.label[i]
	}
	return field
}

// has reports whether field has a column or a default.
func (h *header) has(field string) bool {
	i, ok := h.kind.index[field]
	return ok && (h.colOf[i] >= 0 || h.defaults[i] != "")
}

// kindInfo is the field table of a kind, built once.
type kindInfo struct {
	fields  []Field
	index   map[string]int    // field name → index
	byLabel map[string]string // normalised header, name or alias → field
}

func newKindInfo(fields []Field) *kindInfo {
	ki := &kindInfo{fields: fields, index: map[string]int{}, byLabel: map[string]string{}}
	for i, f := range fields {
		ki.index[f.Name] = i
	}
	// Headers first, then names, then aliases: an alias never shadows
	// another field's own header.
	for _, f := range fields {
		ki.byLabel[normHeader(f.Header)] = f.Name
	}
	for _, f := range fields {
		if _, taken := ki.byLabel[normHeader(f.Name)]; !taken {
			ki.byLabel[normHeader(f.Name)] = f.Name
		}
	}
	for _, f := range fields {
		for _, a := range f.Aliases {
			if _, taken := ki.byLabel[normHeader(a)]; !taken {
				ki.byLabel[normHeader(a)] = f.Name
			}
		}
	}
	return ki
}

// newHeader is a header with no columns and the mapping's defaults.
func newHeader(ki *kindInfo, m *Mapping, row int) *header {
	h := &header{kind: ki, row: row, colOf: make([]int, len(ki.fields)), label: make([]string, len(ki.fields)),
		defaults: make([]string, len(ki.fields))}
	for i, f := range ki.fields {
		h.colOf[i] = -1
		h.defaults[i] = m.defaultOf(f.Name)
	}
	return h
}

// mapHeader resolves each header cell to fields: the mapping's columns
// first, then the fields' names, Chinese headers and aliases. Duplicate and
// missing required columns are header problems.
func mapHeader(ki *kindInfo, m *Mapping, cells []string, row int) *header {
	h := newHeader(ki, m, row)
	for pos, cell := range cells {
		label := clean(cell)
		if label == "" {
			continue
		}
		fields, ok := m.column(label)
		if !ok {
			if f, found := ki.byLabel[normHeader(label)]; found {
				fields, ok = []string{f}, true
			}
		}
		if !ok {
			h.ignored = append(h.ignored, label)
			continue
		}
		for _, f := range fields {
			i := ki.index[f]
			if h.colOf[i] >= 0 {
				h.problems = append(h.problems, newRowError(row, label, f, "", keyDuplicateColumn, h.label[i], f))
				continue
			}
			h.colOf[i], h.label[i] = pos, label
		}
	}
	for i, f := range ki.fields {
		if !f.Required || h.colOf[i] >= 0 || h.defaults[i] != "" || (f.orField != "" && h.has(f.orField)) {
			continue
		}
		accepted := append([]string{f.Header}, f.Aliases...)
		h.problems = append(h.problems, newRowError(row, "", f.Name, "", keyMissingColumn, f.Name, strings.Join(accepted, " / ")))
	}
	return h
}

// recognised counts the fields a header row maps.
func (h *header) recognised() int {
	n := 0
	for _, c := range h.colOf {
		if c >= 0 {
			n++
		}
	}
	return n
}

// headerScan is how many leading non-blank rows may be a title above the
// header ("2026年5月 拜访事件导出") before the header itself.
const headerScan = 10

// pickHeader chooses the header among the leading non-blank rows: the first
// that maps every required field, else the one that maps the most fields.
func pickHeader(ki *kindInfo, m *Mapping, rows []row) (*header, int) {
	var best *header
	bestAt := 0
	for i, r := range rows {
		h := mapHeader(ki, m, r.cells, r.num)
		if missingRequired(h) == 0 {
			return h, i
		}
		if best == nil || h.recognised() > best.recognised() {
			best, bestAt = h, i
		}
	}
	return best, bestAt
}

func missingRequired(h *header) int {
	n := 0
	for _, p := range h.problems {
		if p.Key == keyMissingColumn {
			n++
		}
	}
	return n
}

// normHeader compares headers ignoring case, spaces, full-width forms, a
// BOM, the "*" templates put on required columns and a trailing colon.
func normHeader(h string) string {
	h = foldWidth(clean(h))
	h = strings.NewReplacer("*", "", " ", "", "（", "(", "）", ")", "：", "", ":", "", "\n", "", "\r", "").Replace(h)
	return strings.ToLower(h)
}
