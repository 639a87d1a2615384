package importer

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"visitbot/models"
	"visitbot/models/modelstest"
)

// FuzzReadCSV feeds arbitrary bytes through the CSV decoder (encoding
// detection, header mapping) and every kind's row parser: it must never
// panic, and every value it accepts must fit its column.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("信号编码,医生编码,信号类别,信号类型,发生时间\nS1,D1,线上讲座,lecture_attend,2026-05-01 14:30\n"))
	f.Add([]byte("\xef\xbb\xbfsignal_id,doctor_id,class,kind,occurred_at,value\n\"S,2\",D2,trial,x,46143.5,1e308\n"))
	f.Add([]byte("\xd2\xbd\xd4\xba\xb1\xe0\xc2\xeb,name\n\xff\xfe,\"unterminated\n"))
	f.Add([]byte("医生编码\t类型\t星期\t日期\t时段\nD1\t停诊\t周一\t2026/13/40\t全天\n"))
	env := &runEnv{im: &Importer{}, loc: modelstest.Shanghai}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, k := range allKinds() {
			in, err := ReadCSV(bytes.NewReader(data), k.name(), nil)
			if err != nil {
				continue
			}
			env.columns = in.Columns
			for _, row := range in.Rows {
				for field, v := range row.Values {
					if !utf8.ValidString(v) {
						t.Fatalf("%s row %d field %s: invalid UTF-8 %q", k.name(), row.Num, field, v)
					}
				}
				parseRow(t, k, env, row)
			}
		}
	})
}

// parseRow runs the kind's pure parse step and checks accepted ids are clean.
func parseRow(t *testing.T, k kind, env *runEnv, row Row) {
	r := &rowReader{row: row, env: env}
	switch s := k.(type) {
	case *spec[signalRec]:
		rec := s.parseRow(r)
		if len(r.errs) == 0 && (rec.ExternalID == "" || strings.ContainsAny(rec.ExternalID, " \n") || utf8.RuneCountInString(rec.Detail) > 255) {
			t.Fatalf("accepted bad signal %+v", rec)
		}
	case *spec[sessionRec]:
		rec := s.parseRow(r)
		if len(r.errs) == 0 && !rec.cancel && rec.session.Period == "" {
			t.Fatalf("accepted a session without period: %+v", rec)
		}
	default:
		parseGeneric(k, r)
	}
}

// parseGeneric calls parse on the other kinds through their concrete types.
func parseGeneric(k kind, r *rowReader) {
	switch s := k.(type) {
	case *spec[doctorRec]:
		s.parseRow(r)
	case *spec[userRec]:
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
	env := &runEnv{im: &Importer{}, loc: modelstest.Shanghai}
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
			env.columns = in.Columns
			for _, row := range in.Rows {
				parseRow(t, k, env, row)
			}
		}
	})
}
