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

// Mapping adapts a company's own export to visitbot without editing it:
//
//	kind: signals
//	sheet: 明细          # xlsx: the sheet to read (default: the first visible one)
//	header_row: 3       # the header's row number (default: found in the first rows)
//	columns:
//	  事件编号: external_id
//	  客户编码: doctor_id
//	  事件类型: [class, kind]   # one column feeding two fields
//	defaults:
//	  source: crm              # a constant for a field the export lacks
//	values:
//	  class: {线上讲座签到: lecture, 说明书查阅: digital}
//	  kind:  {线上讲座签到: lecture_attend, 说明书查阅: leaflet_view}
//	refs:
//	  manager_id: wecom_user_id  # users: 直属上级 holds WeCom accounts
//
// Columns map headers to fields (a list feeds several fields), defaults give
// a field a value when its cell is empty or the column is missing, values map
// labels per field to what visitbot expects (checked against the known values
// when the mapping is loaded; "*" is the value of every label not listed),
// and refs say which id a user reference holds
// (user_id, employee_no, wecom_user_id, dingtalk_user_id; default any of them).
type Mapping struct {
	Kind      string                       `yaml:"kind"`
	Sheet     string                       `yaml:"sheet"`
	HeaderRow int                          `yaml:"header_row"`
	Columns   map[string]fieldList         `yaml:"columns"`
	Defaults  map[string]string            `yaml:"defaults"`
	Values    map[string]map[string]string `yaml:"values"`
	Refs      map[string]string            `yaml:"refs"`

	columns map[string][]string          // normalised header → fields
	values  map[string]map[string]string // field → lower-cased label → value
	refs    map[string]string            // field → id column
}

// fieldList is one field name or a list of them.
type fieldList []string

// UnmarshalYAML accepts `col: field` and `col: [field, field]`.
func (f *fieldList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*f = fieldList{n.Value}
		return nil
	case yaml.SequenceNode:
		var list []string
		if err := n.Decode(&list); err != nil {
			return err
		}
		*f = list
		return nil
	}
	return fmt.Errorf("line %d: a column maps to a field name or a list of field names", n.Line)
}

// maxMappingBytes bounds a mapping file; real ones are a few hundred bytes.
const maxMappingBytes = 1 << 20

// refColumns are the ids a user reference may be pinned to.
var refColumns = []string{"any", "user_id", "employee_no", "wecom_user_id", "dingtalk_user_id"}

// LoadMapping reads a YAML mapping file and checks it against kind and the
// built-in signal kinds (Importer.LoadMapping also knows the rules' kinds).
func LoadMapping(path, kind string) (*Mapping, error) {
	return loadMapping(path, kind, newKindCatalog(nil))
}

func loadMapping(path, kind string, cat *kindCatalog) (*Mapping, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	defer f.Close()
	return parseMapping(f, kind, cat)
}

// ParseMapping decodes a YAML mapping and checks every target field, default
// and value label against kind and the built-in signal kinds.
func ParseMapping(r io.Reader, kind string) (*Mapping, error) {
	return parseMapping(r, kind, newKindCatalog(nil))
}

func parseMapping(r io.Reader, kind string, cat *kindCatalog) (*Mapping, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxMappingBytes+1))
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	if len(data) > maxMappingBytes {
		return nil, fmt.Errorf("mapping: file larger than %d bytes", maxMappingBytes)
	}
	var m Mapping
	dec := yaml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	k, err := lookupKind(kind)
	if err != nil {
		return nil, err
	}
	if m.Kind != "" && !strings.EqualFold(strings.TrimSpace(m.Kind), k.name()) {
		return nil, fmt.Errorf("mapping is for kind %q, not %q", m.Kind, k.name())
	}
	if problems := m.compile(k, cat); len(problems) > 0 {
		slices.Sort(problems)
		return nil, fmt.Errorf("mapping for %s: %s (fields: %s)", k.name(), strings.Join(problems, "; "), fieldNames(k))
	}
	return &m, nil
}

// compile checks the mapping against k and builds its lookup tables.
func (m *Mapping) compile(k kind, cat *kindCatalog) []string {
	var problems []string
	field := func(name string) (Field, bool) {
		i, ok := k.index()[name]
		if !ok {
			return Field{}, false
		}
		return k.fields()[i], true
	}
	if m.HeaderRow < 0 {
		problems = append(problems, fmt.Sprintf("header_row %d must be a row number (1 = the first row)", m.HeaderRow))
	}
	m.columns = map[string][]string{}
	for col, fields := range m.Columns {
		if len(fields) == 0 {
			problems = append(problems, fmt.Sprintf("column %q maps to no field", col))
		}
		for _, f := range fields {
			if _, ok := field(f); !ok {
				problems = append(problems, fmt.Sprintf("column %q maps to unknown field %q", col, f))
				continue
			}
			norm := normHeader(col)
			if !slices.Contains(m.columns[norm], f) {
				m.columns[norm] = append(m.columns[norm], f)
			}
		}
	}
	m.values = map[string]map[string]string{}
	for name, vals := range m.Values {
		f, ok := field(name)
		if !ok {
			problems = append(problems, fmt.Sprintf("values for unknown field %q", name))
			continue
		}
		lv := map[string]string{}
		for label, v := range vals {
			v = clean(v)
			if p := checkTarget(f, v, cat); p != "" {
				problems = append(problems, fmt.Sprintf("values.%s: %q → %q %s", name, label, v, p))
			}
			lv[strings.ToLower(clean(label))] = v
		}
		m.values[name] = lv
	}
	for name, v := range m.Defaults {
		f, ok := field(name)
		if !ok {
			problems = append(problems, fmt.Sprintf("default for unknown field %q", name))
			continue
		}
		v = clean(v)
		m.Defaults[name] = v
		if to, ok := m.value(name, v); ok {
			v = to
		}
		if p := checkTarget(f, v, cat); p != "" {
			problems = append(problems, fmt.Sprintf("defaults.%s: %q %s", name, v, p))
		}
	}
	m.refs = map[string]string{}
	for name, col := range m.Refs {
		f, ok := field(name)
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("refs for unknown field %q", name))
		case !f.userRef:
			problems = append(problems, fmt.Sprintf("refs.%s: only user references (manager_id, rep_id) can name their id", name))
		case !slices.Contains(refColumns, strings.ToLower(col)):
			problems = append(problems, fmt.Sprintf("refs.%s: %q is not one of %s", name, col, strings.Join(refColumns, ", ")))
		default:
			m.refs[name] = strings.ToLower(col)
		}
	}
	return problems
}

// checkTarget says why v is not a value field f accepts ("" = fine).
func checkTarget(f Field, v string, cat *kindCatalog) string {
	if v == "" {
		return ""
	}
	switch {
	case f.isBool:
		if _, ok := boolLabels[strings.ToLower(foldWidth(v))]; !ok {
			return "is not yes or no (true / false)"
		}
	case f.Name == "kind" && f.choices == nil:
		if _, ok := cat.lookup(v); !ok {
			return "is not a known signal kind (" + cat.names() + ")"
		}
	case f.choices != nil:
		if _, ok := f.choices[strings.ToLower(foldWidth(v))]; !ok {
			return "is not one of " + f.choices.canonical()
		}
	}
	return ""
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
	if to, ok := lv[strings.ToLower(v)]; ok {
		return to, true
	}
	to, ok := lv["*"]
	return to, ok
}

// column is the fields a mapped header names.
func (m *Mapping) column(header string) ([]string, bool) {
	if m == nil {
		return nil, false
	}
	f, ok := m.columns[normHeader(header)]
	return f, ok
}

// ref is the id column a user reference field is pinned to ("any" if none).
func (m *Mapping) ref(field string) string {
	if m == nil || m.refs[field] == "" {
		return "any"
	}
	return m.refs[field]
}

func (m *Mapping) defaultOf(field string) string {
	if m == nil {
		return ""
	}
	return m.Defaults[field]
}

func fieldNames(k kind) string {
	var out []string
	for _, f := range k.fields() {
		out = append(out, f.Name)
	}
	return strings.Join(out, ", ")
}
