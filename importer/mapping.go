package importer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Mapping adapts a company's own spreadsheet to visitbot: Columns maps their
// column headers to visitbot field names, Values maps their value labels per
// field to what visitbot expects. Example (doctors):
//
//	kind: doctors
//	columns:
//	  工号: external_id
//	  所属医院: hospital_id
//	  级别: title
//	values:
//	  title: {主任: chief, 副主任: associate}
//	  is_kol: {是: true, 否: false}
type Mapping struct {
	Kind    string                       `yaml:"kind"`
	Columns map[string]string            `yaml:"columns"`
	Values  map[string]map[string]string `yaml:"values"`

	columns map[string]string            // normalised header → field
	values  map[string]map[string]string // field → lower-cased label → value
}

// maxMappingBytes bounds a mapping file; real ones are a few hundred bytes.
const maxMappingBytes = 1 << 20

// LoadMapping reads a YAML mapping file and checks it against kind.
func LoadMapping(path, kind string) (*Mapping, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	defer f.Close()
	return ParseMapping(f, kind)
}

// ParseMapping decodes a YAML mapping and checks every target field exists in kind.
func ParseMapping(r io.Reader, kind string) (*Mapping, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxMappingBytes+1))
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	if len(data) > maxMappingBytes {
		return nil, fmt.Errorf("mapping: file larger than %d bytes", maxMappingBytes)
	}
	var m Mapping
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	k, err := lookupKind(kind)
	if err != nil {
		return nil, err
	}
	if m.Kind != "" && !strings.EqualFold(m.Kind, k.name()) {
		return nil, fmt.Errorf("mapping is for kind %q, not %q", m.Kind, k.name())
	}
	known := map[string]bool{}
	for _, f := range k.fields() {
		known[f.Name] = true
	}
	var problems []string
	m.columns = map[string]string{}
	for col, field := range m.Columns {
		if !known[field] {
			problems = append(problems, fmt.Sprintf("column %q maps to unknown field %q", col, field))
			continue
		}
		m.columns[normHeader(col)] = field
	}
	m.values = map[string]map[string]string{}
	for field, vals := range m.Values {
		if !known[field] {
			problems = append(problems, fmt.Sprintf("values for unknown field %q", field))
			continue
		}
		lv := map[string]string{}
		for label, v := range vals {
			lv[strings.ToLower(strings.TrimSpace(label))] = strings.TrimSpace(v)
		}
		m.values[field] = lv
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, fmt.Errorf("mapping for %s: %s (fields: %s)", k.name(), strings.Join(problems, "; "), fieldNames(k))
	}
	return &m, nil
}

// value relabels v for field when the mapping names it.
func (m *Mapping) value(field, v string) (string, bool) {
	if m == nil {
		return "", false
	}
	lv, ok := m.values[field]
	if !ok {
		return "", false
	}
	to, ok := lv[strings.ToLower(v)]
	return to, ok
}

// column is the field a mapped header names.
func (m *Mapping) column(header string) (string, bool) {
	if m == nil {
		return "", false
	}
	f, ok := m.columns[normHeader(header)]
	return f, ok
}

func fieldNames(k kind) string {
	var out []string
	for _, f := range k.fields() {
		out = append(out, f.Name)
	}
	return strings.Join(out, ", ")
}

// normHeader compares headers ignoring case, spaces, a UTF-8 BOM and the "*"
// templates put on required columns.
func normHeader(h string) string {
	h = strings.TrimPrefix(h, "\ufeff")
	h = strings.NewReplacer("*", "", " ", "", "\u3000", "", "（", "(", "）", ")").Replace(h)
	return strings.ToLower(strings.TrimSpace(h))
}
