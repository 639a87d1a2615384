package importer

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"visitbot/models"
	"visitbot/models/modelstest"
)

// fuzzEnv is a run environment without a database, for the pure steps.
func fuzzEnv() *runEnv {
	return &runEnv{im: &Importer{}, loc: modelstest.Shanghai, kinds: newKindCatalog(nil)}
}

// readAll opens in and parses every row with its kind's row parser (no
// database): it must never panic, cells must be UTF-8, and every value it
// accepts must fit its column.
func readAll(t *testing.T, in Input, env *runEnv) {
	st, err := in.open()
	if err != nil {
		return
	}
	defer st.close()
	k, _ := lookupKind(in.kind)
	env.hdr = st.hdr
	for n := 0; n < 10000; n++ {
		r, err := st.next()
		if err != nil || r == nil {
			return
		}
		for _, c := range r.cells {
			if !utf8.ValidString(c) {
				t.Fatalf("%s row %d: invalid UTF-8 %q", in.kind, r.num, c)
			}
		}
		parseRow(t, k, env, r)
	}
}

// FuzzReadCSV feeds arbitrary bytes through the CSV decoder (encoding
// detection, header detection and mapping) and every kind's row parser.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("信号编码,医生编码,信号类别,信号类型,发生时间\nS1,D1,线上讲座,lecture_attend,2026-05-01 14:30\n"))
	f.Add([]byte("\xef\xbb\xbfsignal_id,doctor_id,class,kind,occurred_at,value\n\"S,2\",D2,trial,x,46143.5,1e308\n"))
	f.Add([]byte("\xd2\xbd\xd4\xba\xb1\xe0\xc2\xeb,name\n\xff\xfe,\"unterminated\n"))
	f.Add([]byte("医生编码\t类型\t星期\t日期\t时段\nD1\t停诊\t周一\t2026/13/40\t全天\n"))
	f.Add([]byte("\xff\xfeH\x00,\x00\n\x00"))
	f.Add([]byte("2026年5月 导出\n\n工号;姓名;角色;直属上级\nＲ01;张三;代表;m1\n"))
	m, _ := ParseMapping(strings.NewReader("columns: {事件类型: [class, kind], 客户编码: doctor_id}\ndefaults: {source: crm}\nvalues: {kind: {签到: lecture_attend}}"), "signals")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, k := range allKinds() {
			in, err := OpenBytes("f.csv", data, k.name(), nil)
			if err != nil {
				t.Fatal(err)
			}
			readAll(t, in, fuzzEnv())
		}
		in, _ := OpenBytes("f.csv", data, "signals", m)
		env := fuzzEnv()
		env.mapping = m
		readAll(t, in, env)
	})
}

// FuzzReadXLSX feeds arbitrary bytes to the workbook reader: a broken or
// hostile workbook is an error, never a panic.
func FuzzReadXLSX(f *testing.F) {
	var b bytes.Buffer
	if err := WriteTemplate(&b, "signals", FormatXLSX); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add([]byte("PK\x03\x04garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := OpenBytes("f.xlsx", data, "signals", nil)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, in, fuzzEnv())
	})
}

// parseRow runs the kind's pure parse step and checks accepted ids are clean.
func parseRow(t *testing.T, k kind, env *runEnv, row *row) {
	r := &rowReader{row: row, env: env}
	switch s := k.(type) {
	case *spec[signalRec]:
		rec := s.parseRow(r)
		if len(r.errs) == 0 && (rec.ExternalID == "" || strings.ContainsAny(rec.ExternalID, " \n") || utf8.RuneCountInString(rec.Detail) > 255 ||
			rec.Class == "" || rec.Kind == "") {
			t.Fatalf("accepted bad signal %+v", rec)
		}
		if len(r.errs) == 0 {
			if _, ok := env.kinds.lookup(rec.Kind); !ok {
				t.Fatalf("accepted unknown kind %q", rec.Kind)
			}
		}
	case *spec[sessionRec]:
		rec := s.parseRow(r)
		if len(r.errs) == 0 && !rec.cancel && rec.session.Period == "" {
			t.Fatalf("accepted a session without period: %+v", rec)
		}
	case *spec[userRec]:
		rec := s.parseRow(r)
		if len(r.errs) == 0 && rec.UserID == "" {
			t.Fatalf("accepted a user without id: %+v", rec)
		}
	default:
		parseGeneric(k, r)
	}
	for _, e := range r.errs {
		if e.Key == "" || e.Reason == "" || e.Message(LangZH) == "" {
			t.Fatalf("problem without key or text: %+v", e)
		}
	}
}

// parseGeneric calls parse on the other kinds through their concrete types.
func parseGeneric(k kind, r *rowReader) {
	switch s := k.(type) {
	case *spec[doctorRec]:
		s.parseRow(r)
	case *spec[flowRec]:
		s.parseRow(r)
	case *spec[assignmentRec]:
		s.parseRow(r)
	case *spec[doctorProductRec]:
		s.parseRow(r)
	case *spec[models.Hospital]:
		s.parseRow(r)
	case *spec[models.Product]:
		s.parseRow(r)
	}
}

// FuzzFromJSON feeds arbitrary ingest bodies through the JSON row decoder
// and every kind's row parser.
func FuzzFromJSON(f *testing.F) {
	f.Add([]byte(`[{"external_id":"S1","doctor_id":"D1","class":"trial","kind":"x","occurred_at":"2026-05-01T10:00:00+08:00","value":1e308}]`))
	f.Add([]byte(`[{"external_id":null,"is_kol":true,"lat":[1],"weekday":"周三","period":"全天"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var items []map[string]any
		if dec.Decode(&items) != nil {
			return
		}
		for _, k := range allKinds() {
			in, err := FromJSON(k.name(), items)
			if err != nil {
				t.Fatal(err)
			}
			readAll(t, in, fuzzEnv())
		}
	})
}

// FuzzParseMapping feeds arbitrary YAML to the mapping parser of every kind:
// a bad mapping is an error, a good one has only known fields.
func FuzzParseMapping(f *testing.F) {
	f.Add("kind: signals\ncolumns: {事件类型: [class, kind]}\ndefaults: {source: crm}\nvalues: {kind: {签到: lecture_attend}}\n")
	f.Add("columns: {直属上级: manager_id}\nrefs: {manager_id: wecom_user_id}\ndefaults: {role: 代表}\nheader_row: 2\n")
	f.Add("columns: {a: [b, [c]]}\nvalues: {title: {教授: professor}}\n")
	f.Fuzz(func(t *testing.T, yml string) {
		for _, k := range allKinds() {
			m, err := ParseMapping(strings.NewReader(yml), k.name())
			if err != nil {
				continue
			}
			for _, fields := range m.columns {
				for _, fd := range fields {
					if _, ok := k.index()[fd]; !ok {
						t.Fatalf("%s: accepted unknown field %q", k.name(), fd)
					}
				}
			}
		}
	})
}

// FuzzOpenUpload feeds arbitrary bytes as an uploaded zip: hostile archives
// (bombs, traversal, broken directories) are errors, never panics.
func FuzzOpenUpload(f *testing.F) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("bundle.yaml")
	w.Write([]byte("files: [{kind: hospitals, file: h.csv}]\n"))
	w, _ = zw.Create("h.csv")
	w.Write([]byte("医院编码,医院名称,医院等级\nH1,甲,三甲\n"))
	zw.Close()
	f.Add(b.Bytes())
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	im := &Importer{kinds: newKindCatalog(nil)}
	f.Fuzz(func(t *testing.T, data []byte) {
		bundle, err := im.OpenUpload("u.zip", data, "", nil, UploadLimits{MaxBytes: 1 << 20, MaxFiles: 20, MaxUnzippedBytes: 1 << 20})
		if err != nil {
			return
		}
		for _, in := range bundle.inputs {
			readAll(t, in, fuzzEnv())
		}
	})
}

// FuzzSheetScanner feeds arbitrary worksheet XML to the fast sheet reader:
// it must end (rows or an error), never panic or loop.
func FuzzSheetScanner(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><r><t>富</t></r><rPh><t>x</t></rPh></is></c></row><row r="3"/><x:row><x:c t="b"><x:v>1</x:v></x:c></x:row></sheetData></worksheet>`))
	f.Add([]byte(`<sheetData><row><c><f>1+2</f><v>3</v></c><c t="s"><v>99</v></c></row></sheetData>`))
	f.Add([]byte(`<sheetData><!-- a --><row><c r="ZZZZZZ1"><v>&#x41;&amp;&lt;&#99999999;</v></c></row>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc := &sheetScanner{r: bufio.NewReaderSize(bytes.NewReader(data), 16), sst: []string{"共享"}}
		for n := 0; n < 100000; n++ {
			cells, _, err := sc.next()
			if err != nil {
				return
			}
			for _, c := range cells {
				_ = c
			}
		}
		t.Fatal("no end after 100000 rows")
	})
}
