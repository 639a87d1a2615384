package handlers_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"visitbot/clock"
	"visitbot/config"
	"visitbot/handlers"
	"visitbot/importer"
	"visitbot/models"
	"visitbot/models/modelstest"
)

const (
	ingestKey    = "crm"
	ingestSecret = "0123456789abcdef-secret"
)

type ingestEnv struct {
	t       testing.TB
	store   *models.Store
	clock   *clock.Fake
	handler http.Handler
	fired   []models.Signal
}

func newIngestEnv(t testing.TB, s *models.Store, mutate func(*config.IngestConfig)) *ingestEnv {
	t.Helper()
	cfg := config.Default().Ingest
	cfg.Clients = map[string]string{ingestKey: ingestSecret}
	cfg.MaxBodyBytes = 8 << 10
	if mutate != nil {
		mutate(&cfg)
	}
	e := &ingestEnv{t: t, store: s, clock: s.Clock().(*clock.Fake)}
	imp := importer.New(s, importer.Config{OnSignals: func(_ context.Context, sigs []models.Signal) { e.fired = append(e.fired, sigs...) }})
	srv := handlers.New(handlers.Deps{
		Store: s, Log: slog.New(slog.DiscardHandler), Clock: s.Clock(), Registry: prometheus.NewRegistry(),
		Version: "test", Ingest: &handlers.Ingest{Importer: imp, Config: cfg},
	})
	e.handler = srv.Handler()
	// A hospital to attach doctors to.
	in, _ := importer.FromJSON("hospitals", []map[string]any{{"external_id": "H1", "name": "瑞金医院", "level": "三甲"}})
	if _, err := imp.Import(context.Background(), "hospitals", in, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	return e
}

// signed builds a request signed at the fake clock's now.
func (e *ingestEnv) signed(path, body string) *http.Request {
	ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(handlers.IngestKeyHeader, ingestKey)
	req.Header.Set(handlers.IngestTimestampHeader, ts)
	req.Header.Set(handlers.IngestSignatureHeader, hex.EncodeToString(handlers.IngestSignature(ingestSecret, ts, []byte(body))))
	return req
}

type ingestAnswer struct {
	Error     string                     `json:"error"`
	Errors    []handlers.IngestItemError `json:"errors"`
	Created   int                        `json:"created"`
	Updated   int                        `json:"updated"`
	Unchanged int                        `json:"unchanged"`
	Received  int                        `json:"received"`
}

func (e *ingestEnv) do(req *http.Request) (int, ingestAnswer) {
	e.t.Helper()
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, req)
	var a ingestAnswer
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
		e.t.Fatalf("answer %d is not JSON: %q", w.Code, w.Body.String())
	}
	return w.Code, a
}

const doctorBatch = `{"items":[
 {"external_id":"D1","name":"陈静","hospital_id":"H1","department":"心内科","title":"主任医师","is_kol":true,"legacy_tier":"A"},
 {"external_id":"D2","name":"刘洋","hospital_id":"H1","department":"内分泌科","title":"attending"}]}`

func TestIngestAcceptsSignedBatchesIdempotently(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newIngestEnv(t, s, nil)
		code, a := e.do(e.signed("/api/v1/doctors", doctorBatch))
		if code != http.StatusOK || a.Created != 2 || a.Received != 2 {
			t.Fatalf("first batch: %d %+v", code, a)
		}
		// The same items again, freshly signed: idempotent by external id.
		e.clock.Advance(time.Second)
		code, a = e.do(e.signed("/api/v1/doctors", doctorBatch))
		if code != http.StatusOK || a.Unchanged != 2 || a.Created != 0 {
			t.Fatalf("repeat batch: %d %+v", code, a)
		}
		signals := `{"items":[{"external_id":"crm-1","doctor_id":"D1","class":"trial","kind":"trial_investigator","occurred_at":"2026-11-30T10:00:00+08:00","value":1}]}`
		code, a = e.do(e.signed("/api/v1/signals", signals))
		if code != http.StatusOK || a.Created != 1 || len(e.fired) != 1 || e.fired[0].ExternalID != "crm-1" {
			t.Fatalf("signals: %d %+v fired %v", code, a, e.fired)
		}
		flow := `{"items":[{"hospital_id":"H1","department":"心内科","product_code":"P1","month":"2026-10","quantity":10}]}`
		if code, a := e.do(e.signed("/api/v1/flow", flow)); code != http.StatusBadRequest || a.Errors[0].Field != "product_code" {
			t.Fatalf("flow with unknown product: %d %+v", code, a)
		}
		sessions := `{"items":[{"doctor_id":"D1","weekday":"周三","period":"上午"},{"doctor_id":"D1","type":"停诊","date":"2026-12-09"}]}`
		if code, a := e.do(e.signed("/api/v1/sessions", sessions)); code != http.StatusOK || a.Created != 2 {
			t.Fatalf("sessions: %d %+v", code, a)
		}
	})
}

func TestIngestStatuses(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newIngestEnv(t, s, nil)
		stale := e.signed("/api/v1/doctors", doctorBatch)
		e.clock.Advance(6 * time.Minute)
		badSig := e.signed("/api/v1/doctors", doctorBatch)
		badSig.Header.Set(handlers.IngestSignatureHeader, strings.Repeat("ab", 32))
		unknownKey := e.signed("/api/v1/doctors", doctorBatch)
		unknownKey.Header.Set(handlers.IngestKeyHeader, "erp")
		noHeaders := httptest.NewRequest(http.MethodPost, "/api/v1/doctors", strings.NewReader(doctorBatch))
		huge := `{"items":[{"external_id":"D9","name":"` + strings.Repeat("长", 4000) + `"}]}`
		cases := []struct {
			name   string
			req    *http.Request
			status int
			want   string
		}{
			{"missing headers", noHeaders, 401, "missing X-Visitbot-Key"},
			{"bad signature", badSig, 401, "bad signature"},
			{"unknown key", unknownKey, 401, "bad signature"},
			{"stale timestamp", stale, 401, "outside the ±5m0s window"},
			{"too large", e.signed("/api/v1/doctors", huge), 413, "larger than 8192 bytes"},
			{"not json", e.signed("/api/v1/doctors", `items=1`), 400, "must be a JSON object"},
			{"unknown top-level key", e.signed("/api/v1/doctors", `{"rows":[]}`), 400, "must be a JSON object"},
			{"trailing data", e.signed("/api/v1/doctors", doctorBatch+`{}`), 400, "nothing after it"},
			{"no items", e.signed("/api/v1/doctors", `{"items":[]}`), 400, "items must hold 1 to"},
		}
		for _, c := range cases {
			code, a := e.do(c.req)
			if code != c.status || !strings.Contains(a.Error, c.want) {
				t.Errorf("%s: %d %q, want %d %q", c.name, code, a.Error, c.status, c.want)
			}
		}
		if n := countRows[models.Doctor](t, s); n != 0 {
			t.Fatalf("refused requests wrote %d doctors", n)
		}
	})
}

func TestIngestItemErrors(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newIngestEnv(t, s, nil)
		body := `{"items":[
 {"external_id":"D1","name":"陈静","hospital_id":"H1","department":"心内科","title":"主任医师"},
 {"external_id":"D2","name":"","hospital_id":"H404","department":"心内科","title":"教授","colour":"red"},
 {"external_id":"S1","doctor_id":"D1"}]}`
		code, a := e.do(e.signed("/api/v1/doctors", body))
		if code != http.StatusBadRequest {
			t.Fatalf("status %d %+v", code, a)
		}
		got := map[string]bool{}
		for _, ie := range a.Errors {
			got[strconv.Itoa(ie.Index)+" "+ie.Field] = true
		}
		for _, w := range []string{"1 name", "1 hospital_id", "1 title", "1 colour", "2 doctor_id", "2 name", "2 department"} {
			if !got[w] {
				t.Errorf("missing item error %q in %+v", w, a.Errors)
			}
		}
		if n := countRows[models.Doctor](t, s); n != 0 {
			t.Fatalf("a batch with bad items wrote %d doctors", n)
		}
		// Doctor-level prescription data is refused with the compliance message.
		rx := `{"items":[{"external_id":"rx-1","doctor_id":"D1","class":"rx_trend","kind":"monthly","occurred_at":"2026-11-01"}]}`
		code, a = e.do(e.signed("/api/v1/signals", rx))
		if code != http.StatusBadRequest || len(a.Errors) == 0 || !strings.Contains(a.Errors[0].Message, "doctor-level prescription data is refused") {
			t.Fatalf("rx signal: %d %+v", code, a)
		}
	})
}

func TestIngestReplayedSignatureIsRefused(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newIngestEnv(t, s, nil)
		first := e.signed("/api/v1/doctors", doctorBatch)
		replay := e.signed("/api/v1/doctors", doctorBatch) // same timestamp, body, signature
		if code, a := e.do(first); code != http.StatusOK {
			t.Fatalf("first: %d %+v", code, a)
		}
		code, a := e.do(replay)
		if code != http.StatusConflict || !strings.Contains(a.Error, "replayed request") {
			t.Fatalf("replay: %d %+v", code, a)
		}
	})
}

func TestIngestRateLimitPerClient(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newIngestEnv(t, s, func(c *config.IngestConfig) { c.RatePerMin = 2 })
		body := func(i int) string {
			return `{"items":[{"external_id":"D` + strconv.Itoa(i) + `","name":"医生","hospital_id":"H1","department":"心内科","title":"主治"}]}`
		}
		for i := range 2 {
			if code, a := e.do(e.signed("/api/v1/doctors", body(i))); code != http.StatusOK {
				t.Fatalf("request %d: %d %+v", i, code, a)
			}
		}
		w := httptest.NewRecorder()
		e.handler.ServeHTTP(w, e.signed("/api/v1/doctors", body(3)))
		if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "30" {
			t.Fatalf("third request: %d %s retry-after %q", w.Code, w.Body, w.Header().Get("Retry-After"))
		}
		// Authentication comes first: an unsigned request is 401, not 429.
		bad := e.signed("/api/v1/doctors", body(5))
		bad.Header.Set(handlers.IngestSignatureHeader, strings.Repeat("00", 32))
		if code, _ := e.do(bad); code != http.StatusUnauthorized {
			t.Fatalf("bad signature while limited: %d", code)
		}
		e.clock.Advance(30 * time.Second)
		if code, a := e.do(e.signed("/api/v1/doctors", body(4))); code != http.StatusOK {
			t.Fatalf("after refill: %d %+v", code, a)
		}
	})
}

func countRows[T any](t *testing.T, s *models.Store) int64 {
	t.Helper()
	var n int64
	if err := s.DB(context.Background()).Model(new(T)).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
