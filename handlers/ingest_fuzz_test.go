package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"visitbot/clock"
	"visitbot/models/modelstest"
)

// FuzzIngestBody posts arbitrary signed bodies to every ingest route of the
// real handler on SQLite: the answer is a JSON status the API documents,
// never a 500 or a panic.
func FuzzIngestBody(f *testing.F) {
	f.Add(uint8(0), []byte(`{"items":[{"external_id":"H2","name":"瑞金医院","level":"三甲"}]}`))
	f.Add(uint8(1), []byte(`{"items":[{"external_id":"D1","name":"张伟","hospital_id":"H1","department":"心内科","title":"主任医师"}]}`))
	f.Add(uint8(2), []byte(`{"items":[{"external_id":"S1","doctor_id":"D1","class":"trial","kind":"x","occurred_at":"2026-05-01T10:00:00+08:00","value":1e308}]}`))
	f.Add(uint8(3), []byte(`{"items":[{}]} {"items":[]}`))
	f.Add(uint8(4), []byte(`{"items":[{"external_id":null,"weekday":"周三","period":"全天"}],"extra":1}`))
	s, _ := modelstest.Open(f, "sqlite", clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, modelstest.Shanghai)))
	e := newIngestEnv(f, s, nil)
	kinds := []string{"hospitals", "doctors", "signals", "flow", "sessions"}
	documented := map[int]bool{200: true, 400: true, 404: true, 409: true, 413: true, 429: true}
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, e.signed("/api/v1/"+kinds[int(kind)%len(kinds)], string(body)))
		if !documented[rec.Code] {
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("answer is not JSON: %q", rec.Body.String())
		}
		if rec.Code != http.StatusOK && out["error"] == nil {
			t.Fatalf("status %d without an error: %s", rec.Code, rec.Body.String())
		}
	})
}
