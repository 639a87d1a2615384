package handlers_test

import (
	"bytes"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"visitbot/clock"
	"visitbot/config"
	"visitbot/handlers"
	"visitbot/internal/apptest"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// overLimit is a body one byte over the default server.max_body_bytes.
var overLimit = bytes.Repeat([]byte("A"), int(config.Default().Server.MaxBodyBytes)+1)

// bodyRequest is a POST of body announced by Content-Length, or chunked
// (no length: the size is found while reading).
func bodyRequest(target string, body []byte, chunked bool) *http.Request {
	req := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if chunked {
		req.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body)))
		req.ContentLength = -1
		req.TransferEncoding = []string{"chunked"}
	}
	return req
}

func openSQLite(t *testing.T) *models.Store {
	s, _ := modelstest.Open(t, "sqlite", clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, modelstest.Shanghai)))
	return s
}

var framings = []struct {
	name    string
	chunked bool
}{{"content-length", false}, {"chunked", true}}

// TestBodyOverServerLimitIsCountedOnWeCom: a callback over
// server.max_body_bytes is a counted, logged too_large rejection whether
// its size was announced or not.
func TestBodyOverServerLimitIsCountedOnWeCom(t *testing.T) {
	s := openSQLite(t)
	e := newWeComEnv(t, s)
	for _, f := range framings {
		t.Run(f.name, func(t *testing.T) {
			before := counterValue(t, e.Registry, "visitbot_wecom_callbacks_rejected_total", "reason", "too_large")
			rec := httptest.NewRecorder()
			e.Handler.ServeHTTP(rec, bodyRequest("/wecom/callback?msg_signature=x&timestamp=1&nonce=n", overLimit, f.chunked))
			if rec.Code != http.StatusRequestEntityTooLarge || rec.Body.String() != "too_large" {
				t.Fatalf("status %d %q, want 413 too_large", rec.Code, rec.Body.String())
			}
			if got := counterValue(t, e.Registry, "visitbot_wecom_callbacks_rejected_total", "reason", "too_large"); got != before+1 {
				t.Fatalf("too_large = %v, want %v", got, before+1)
			}
		})
	}
}

// TestBodyOverServerLimitIsCountedOnDingTalk: the same on every DingTalk route.
func TestBodyOverServerLimitIsCountedOnDingTalk(t *testing.T) {
	s := openSQLite(t)
	e := newDingTalkEnv(t, s)
	for _, route := range []string{"/dingtalk/robot", "/dingtalk/card/tok", "/dingtalk/event"} {
		for _, f := range framings {
			t.Run(route+" "+f.name, func(t *testing.T) {
				before := counterValue(t, e.Registry, "visitbot_dingtalk_callbacks_rejected_total", "status", http.StatusText(http.StatusRequestEntityTooLarge))
				if rec := e.Do(bodyRequest(route, overLimit, f.chunked)); rec.Code != http.StatusRequestEntityTooLarge {
					t.Fatalf("status %d, want 413", rec.Code)
				}
				if got := counterValue(t, e.Registry, "visitbot_dingtalk_callbacks_rejected_total", "status", http.StatusText(http.StatusRequestEntityTooLarge)); got != before+1 {
					t.Fatalf("rejected = %v, want %v", got, before+1)
				}
			})
		}
	}
}

// TestIngestTakesTheSmallerBodyLimit: with ingest.max_body_bytes 4 MiB and
// server.max_body_bytes 1 MiB, a signed 1.5 MiB batch gets 413 and writes
// nothing; so does every other route, GET included.
func TestIngestTakesTheSmallerBodyLimit(t *testing.T) {
	s := openSQLite(t)
	a := apptest.OnStore(t, s, func(c *config.Config) {
		c.Ingest.Clients = map[string]string{ingestKey: ingestSecret}
		c.Ingest.MaxBodyBytes = 4 << 20
	})
	h := a.Server().Handler()
	body := []byte(`{"items":[{"external_id":"H1","name":"` + strings.Repeat("院", 512<<10) + `","level":"三甲"}]}`)
	for _, f := range framings {
		t.Run("ingest "+f.name, func(t *testing.T) {
			req := bodyRequest("/api/v1/hospitals", body, f.chunked)
			ts := strconv.FormatInt(s.Clock().Now().Unix(), 10)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(handlers.IngestKeyHeader, ingestKey)
			req.Header.Set(handlers.IngestTimestampHeader, ts)
			req.Header.Set(handlers.IngestSignatureHeader, hex.EncodeToString(handlers.IngestSignature(ingestSecret, ts, body)))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "larger than 1048576 bytes") {
				t.Fatalf("status %d %s, want 413 at the server limit", rec.Code, rec.Body.String())
			}
			if n := countRows[models.Hospital](t, s); n != 0 {
				t.Fatalf("%d hospitals written", n)
			}
		})
	}
	for _, target := range []string{"/healthz", "/console/api/text", "/auth/logout", "/no/such/route"} {
		for _, f := range framings {
			req := bodyRequest(target, overLimit, f.chunked)
			if target == "/healthz" {
				req.Method = http.MethodGet
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusRequestEntityTooLarge {
				t.Errorf("%s %s: status %d, want 413", target, f.name, rec.Code)
			}
		}
	}
}
