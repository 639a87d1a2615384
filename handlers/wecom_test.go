package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"visitbot/bot"
	"visitbot/bot/wecom"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/internal/apptest"
	"visitbot/models"
	"visitbot/models/modelstest"
)

const (
	wcCorp  = apptest.WeComCorp
	wcAgent = apptest.WeComAgent
	wcUser  = "zhangsan"
)

// weComEnv is the production wiring behind /wecom/callback (apptest.WeCom:
// the app with WeCom enabled against the fake WeCom API) with a probe card
// action and one rep, zhangsan.
type weComEnv struct {
	*apptest.WeCom
	// clicks records the selections the probe action handler saw.
	clicks []bot.CardAction
}

const testActionPrefix = "wecomtest"

func newWeComEnv(t testing.TB, s *models.Store) *weComEnv {
	t.Helper()
	e := &weComEnv{WeCom: apptest.NewWeCom(t, s, nil)}
	uid := wcUser
	if err := s.Users.CreateUser(context.Background(), &models.User{UserID: "rep01", Name: "张三", Role: models.RoleRep, WeComUserID: &uid, Active: true, Territory: "浦东"}); err != nil {
		t.Fatal(err)
	}
	apptest.Register(t, e.App, func(b *bot.Bot) {
		b.Action(testActionPrefix, func(req *bot.Request, task bot.CardTask) (bot.Reply, error) {
			e.clicks = append(e.clicks, *req.Event.Action)
			if err := s.Audit.Record(req.Ctx, req.User.ID, "wecomtest_click", task.TaskID, req.Event.Action.Selected); err != nil {
				return bot.Reply{}, err
			}
			return bot.Reply{Texts: []string{"反馈已记录"}, Update: &bot.CardUpdate{ReplaceName: "已提交"}}, nil
		})
	})
	return e
}

func textXML(from, content string, msgID int64, at time.Time) string {
	return fmt.Sprintf(`<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId><AgentID>%d</AgentID></xml>`,
		wcCorp, from, at.Unix(), content, msgID, wcAgent)
}

func cardEventXML(from, taskID, key, code string, at time.Time) string {
	return fmt.Sprintf(`<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[%s]]></EventKey><TaskId><![CDATA[%s]]></TaskId><CardType><![CDATA[multiple_interaction]]></CardType><ResponseCode><![CDATA[%s]]></ResponseCode><AgentID>%d</AgentID><SelectedItems><SelectedItem><QuestionKey><![CDATA[objection]]></QuestionKey><OptionIds><OptionId><![CDATA[o2]]></OptionId></OptionIds></SelectedItem><SelectedItem><QuestionKey><![CDATA[concerns]]></QuestionKey><OptionIds><OptionId><![CDATA[c1]]></OptionId><OptionId><![CDATA[c3]]></OptionId></OptionIds></SelectedItem></SelectedItems></xml>`,
		wcCorp, from, at.Unix(), key, taskID, code, wcAgent)
}

// rowCounts counts the tables a callback may write.
func rowCounts(t testing.TB, s *models.Store) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, table := range []string{"inbound_deliveries", "raw_events", "console_messages", "audit_logs", "outbox_messages"} {
		var n int64
		if err := s.DB(context.Background()).Table(table).Count(&n).Error; err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

func counterValue(t testing.TB, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == label && lp.GetValue() == value {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

func TestWeComURLVerification(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newWeComEnv(t, s)
		const echo = "1616140317555161061"
		enc, err := e.Crypto.Encrypt([]byte(echo))
		if err != nil {
			t.Fatal(err)
		}
		q := e.Query(enc)
		q.Set("echostr", enc)
		rec := e.Do(http.MethodGet, q, nil)
		if rec.Code != http.StatusOK || rec.Body.String() != echo {
			t.Fatalf("got %d %q, want 200 %q (no quotes, no newline)", rec.Code, rec.Body.String(), echo)
		}
		q.Set("msg_signature", strings.Repeat("0", 40))
		if rec := e.Do(http.MethodGet, q, nil); rec.Code == http.StatusOK {
			t.Fatal("forged verification answered 200")
		}
	})
}

// WeCom's own sample vector through the real endpoint, with the clock set to
// its 2014 timestamp: GET echoes the decrypted payload, POST is the text
// "hello" from mycreate (not a visitbot user), answered passively in Chinese.
func TestWeComOfficialSampleThroughEndpoint(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		const (
			token = "QDG6eK"
			corp  = "wx5823bf96d3bd56c7"
			key   = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
			ts    = "1409659813"
			nonce = "1372623149"
			sig   = "477715d11cdb4164915debcba66cb864d751f3e6"
			enc   = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
		)
		s.Clock().(*clock.Fake).Set(time.Unix(1409659813, 0).Add(30 * time.Second))
		e := apptest.NewWeCom(t, s, func(c *config.Config) { c.WeCom.Token, c.WeCom.CorpID, c.WeCom.EncodingAESKey = token, corp, key })
		get := url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}, "echostr": {enc}}
		rec := e.Do(http.MethodGet, get, nil)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "<Content><![CDATA[hello]]></Content>") {
			t.Fatalf("GET: %d %q", rec.Code, rec.Body.String())
		}

		q := url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}}
		p := e.Open(e.Do(http.MethodPost, q, e.Envelope(corp, enc)))
		if p.ToUserName != "mycreate" || p.MsgType != "text" || p.Content != bot.MsgUnknownUser {
			t.Fatalf("reply %+v", p)
		}
		if n := rowCounts(t, s)["inbound_deliveries"]; n != 1 {
			t.Fatalf("deliveries = %d", n)
		}
	})
}

func TestWeComHelpAndUnknownTextInChinese(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newWeComEnv(t, s)
		p := e.Open(e.Post(textXML(wcUser, "help", 1001, e.Clock.Now())))
		if p.ToUserName != wcUser || p.MsgType != "text" || !strings.Contains(p.Content, "可用指令") || !strings.Contains(p.Content, "帮助") {
			t.Fatalf("help reply %+v", p)
		}
		p = e.Open(e.Post(textXML(wcUser, "今天天气怎么样", 1002, e.Clock.Now())))
		if p.Content != bot.MsgUnknownCommand {
			t.Fatalf("unknown text reply %q", p.Content)
		}
		if got := counterValue(t, e.Registry, "visitbot_wecom_callbacks_accepted_total", "kind", "text"); got != 2 {
			t.Fatalf("accepted text counter = %v", got)
		}
	})
}

func TestWeComCardEventTwoSelectionsExactlyOnce(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newWeComEnv(t, s)
		ctx := context.Background()
		u, err := s.Users.UserByUserID(ctx, "rep01")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Cards.SaveCardTask(ctx, &models.CardTask{TaskID: "fb2-42", Platform: "wecom", UserID: u.ID, Kind: "feedback_step2", ResponseCode: "old"}); err != nil {
			t.Fatal(err)
		}
		code := e.Fake.IssueResponseCode()
		plain := cardEventXML(wcUser, "fb2-42", testActionPrefix+":42:2", code, e.Clock.Now())
		// WeCom retries the very same request; post identical bytes three times.
		enc, err := e.Crypto.Encrypt([]byte(plain))
		if err != nil {
			t.Fatal(err)
		}
		q, body := e.Query(enc), e.Envelope(wcCorp, enc)
		before := rowCounts(t, s)
		first := e.Do(http.MethodPost, q, body)
		p := e.Open(first)
		if p.MsgType != "update_button" || p.Button.ReplaceName != "已提交" {
			t.Fatalf("passive reply %+v", p)
		}
		for i := 0; i < 2; i++ {
			rec := e.Do(http.MethodPost, q, body)
			if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
				t.Fatalf("retry %d: %d %q, want empty 200", i+1, rec.Code, rec.Body.String())
			}
		}
		after := rowCounts(t, s)
		if after["inbound_deliveries"]-before["inbound_deliveries"] != 1 || after["audit_logs"]-before["audit_logs"] != 1 || len(e.clicks) != 1 {
			t.Fatalf("three posts: deliveries +%d, audit +%d, handler ran %d times; want one effect",
				after["inbound_deliveries"]-before["inbound_deliveries"], after["audit_logs"]-before["audit_logs"], len(e.clicks))
		}
		got := e.clicks[0]
		if len(got.Selected) != 2 || got.Selected[0].QuestionKey != "objection" || strings.Join(got.Answer("concerns"), ",") != "c1,c3" {
			t.Fatalf("selections %+v", got.Selected)
		}
		task, _ := s.Cards.CardTaskByTaskID(ctx, "fb2-42")
		if task.ResponseCode != code {
			t.Fatalf("response code %q, want the click's %q", task.ResponseCode, code)
		}
		if got := counterValue(t, e.Registry, "visitbot_wecom_callbacks_accepted_total", "duplicate", "true"); got != 2 {
			t.Fatalf("duplicate counter = %v", got)
		}
		// The text part of the reply could not be passive: it went through the outbox and the API.
		apptest.Drain(t, e.App)
		if sent := e.Fake.Sent(); len(sent) != 1 || sent[0].Text != "反馈已记录" || sent[0].ToUser != wcUser {
			t.Fatalf("deferred sends %+v", sent)
		}
	})
}

func TestWeComUnknownEventStoredNot500(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newWeComEnv(t, s)
		before := rowCounts(t, s)
		x := fmt.Sprintf(`<xml><ToUserName>%s</ToUserName><FromUserName>%s</FromUserName><CreateTime>%d</CreateTime><MsgType>event</MsgType><Event>change_contact</Event></xml>`, wcCorp, wcUser, e.Clock.Now().Unix())
		rec := e.Post(x)
		if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
			t.Fatalf("%d %q", rec.Code, rec.Body.String())
		}
		if after := rowCounts(t, s); after["raw_events"] != before["raw_events"]+1 {
			t.Fatalf("raw_events %d → %d", before["raw_events"], after["raw_events"])
		}
	})
}

func TestWeComRejectsLeaveNoTrace(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newWeComEnv(t, s)
		plain := textXML(wcUser, "help", 2001, e.Clock.Now())
		good, _ := e.Crypto.Encrypt([]byte(plain))
		otherCorp, _ := wecom.NewCrypto(apptest.WeComToken, apptest.WeComAESKey, "wwSomeOtherCorp")
		foreign, _ := otherCorp.Encrypt([]byte(plain))
		signed := func(enc string) (url.Values, []byte) { return e.Query(enc), e.Envelope(wcCorp, enc) }
		cases := []struct {
			name   string
			reason string
			status int
			req    func() (url.Values, []byte)
		}{
			{"forged signature", "bad_signature", http.StatusForbidden, func() (url.Values, []byte) {
				q, b := signed(good)
				q.Set("msg_signature", strings.Repeat("ab", 20))
				return q, b
			}},
			{"signature over other ciphertext", "bad_signature", http.StatusForbidden, func() (url.Values, []byte) {
				q, _ := signed(good)
				return q, e.Envelope(wcCorp, foreign)
			}},
			{"stale timestamp", "stale_timestamp", http.StatusBadRequest, func() (url.Values, []byte) {
				ts := strconv.FormatInt(e.Clock.Now().Add(-11*time.Minute).Unix(), 10)
				return url.Values{"msg_signature": {e.Crypto.Sign(ts, "n", good)}, "timestamp": {ts}, "nonce": {"n"}}, e.Envelope(wcCorp, good)
			}},
			{"future timestamp", "stale_timestamp", http.StatusBadRequest, func() (url.Values, []byte) {
				ts := strconv.FormatInt(e.Clock.Now().Add(11*time.Minute).Unix(), 10)
				return url.Values{"msg_signature": {e.Crypto.Sign(ts, "n", good)}, "timestamp": {ts}, "nonce": {"n"}}, e.Envelope(wcCorp, good)
			}},
			{"missing timestamp", "stale_timestamp", http.StatusBadRequest, func() (url.Values, []byte) {
				q, b := signed(good)
				q.Del("timestamp")
				return q, b
			}},
			{"wrong corp id inside ciphertext", "wrong_corp", http.StatusForbidden, func() (url.Values, []byte) { return signed(foreign) }},
			{"wrong corp id on envelope", "wrong_corp", http.StatusForbidden, func() (url.Values, []byte) {
				q, _ := signed(good)
				return q, e.Envelope("wwSomeOtherCorp", good)
			}},
			{"truncated ciphertext", "bad_ciphertext", http.StatusBadRequest, func() (url.Values, []byte) { return signed(good[:len(good)-12]) }},
			{"garbage ciphertext", "bad_ciphertext", http.StatusBadRequest, func() (url.Values, []byte) { return signed(strings.Repeat("QUJD", 16)) }},
			{"not base64", "bad_ciphertext", http.StatusBadRequest, func() (url.Values, []byte) { return signed("!!not-base64!!") }},
			{"garbage body", "bad_envelope", http.StatusBadRequest, func() (url.Values, []byte) {
				q, _ := signed(good)
				return q, []byte("\x00\x01garbage")
			}},
			{"oversized body", "too_large", http.StatusRequestEntityTooLarge, func() (url.Values, []byte) {
				q, _ := signed(good)
				return q, e.Envelope(wcCorp, good+strings.Repeat("A", wecom.DefaultMaxBody))
			}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := rowCounts(t, s)
				metric := counterValue(t, e.Registry, "visitbot_wecom_callbacks_rejected_total", "reason", tc.reason)
				q, body := tc.req()
				rec := e.Do(http.MethodPost, q, body)
				if rec.Code != tc.status {
					t.Fatalf("status %d (%s), want %d", rec.Code, rec.Body.String(), tc.status)
				}
				if after := rowCounts(t, s); fmt.Sprint(after) != fmt.Sprint(before) {
					t.Fatalf("rows changed: %v → %v", before, after)
				}
				if got := counterValue(t, e.Registry, "visitbot_wecom_callbacks_rejected_total", "reason", tc.reason); got != metric+1 {
					t.Fatalf("rejected{reason=%s} = %v, want %v", tc.reason, got, metric+1)
				}
			})
		}
		// The genuine one still works afterwards.
		if rec := e.Post(plain); rec.Code != http.StatusOK {
			t.Fatalf("genuine callback: %d", rec.Code)
		}
	})
}

// ---- performance: Go benchmark and load generator ----

// benchCallbacks pre-builds n signed text callbacks ("help" from a known
// user, unique MsgIds) so encryption on the sender side is not measured.
func benchCallbacks(tb testing.TB, e *weComEnv, n int, seed int64) (queries []string, bodies [][]byte) {
	tb.Helper()
	now := e.Clock.Now()
	for i := range n {
		enc, err := e.Crypto.Encrypt([]byte(textXML(wcUser, "help", seed+int64(i), now)))
		if err != nil {
			tb.Fatal(err)
		}
		queries = append(queries, e.Query(enc).Encode())
		bodies = append(bodies, e.Envelope(wcCorp, enc))
	}
	return queries, bodies
}

// verifyOnly is the bare baseline: parse, verify, decrypt, decode; no bot, no database.
func verifyOnly(c *wecom.Crypto) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, wecom.DefaultMaxBody+1))
		q := r.URL.Query()
		env, err := wecom.ParseEnvelope(body)
		if err == nil {
			err = c.Verify(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), env.Encrypt)
		}
		var plain []byte
		if err == nil {
			plain, err = c.Decrypt(env.Encrypt)
		}
		if err == nil {
			_, err = wecom.ParseMessage(plain)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	})
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(float64(len(sorted))*p))]
}

// BenchmarkWeComCallback measures verified+decrypted+deduped+stored
// callbacks through the real handler (in process, no TCP) on every
// configured database, next to the bare verify+decrypt baseline.
//
//	go test -run '^$' -bench WeComCallback -benchtime 3000x ./handlers/
func BenchmarkWeComCallback(b *testing.B) {
	const parallelism = 4 // × GOMAXPROCS concurrent callers
	run := func(b *testing.B, h http.Handler, queries []string, bodies [][]byte) {
		var next, bad atomic.Int64
		lat := make(chan []time.Duration, 64)
		b.SetParallelism(parallelism)
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			var mine []time.Duration
			for pb.Next() {
				i := next.Add(1) - 1
				req := httptest.NewRequest(http.MethodPost, "/wecom/callback?"+queries[i], bytes.NewReader(bodies[i]))
				rec := httptest.NewRecorder()
				t0 := time.Now()
				h.ServeHTTP(rec, req)
				mine = append(mine, time.Since(t0))
				if rec.Code != http.StatusOK {
					bad.Add(1)
				}
			}
			lat <- mine
		})
		elapsed := time.Since(start)
		b.StopTimer()
		close(lat)
		var all []time.Duration
		for l := range lat {
			all = append(all, l...)
		}
		if bad.Load() > 0 {
			b.Fatalf("%d callbacks not answered 200", bad.Load())
		}
		slices.Sort(all)
		b.ReportMetric(float64(len(all))/elapsed.Seconds(), "callbacks/s")
		b.ReportMetric(float64(percentile(all, 0.50).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(percentile(all, 0.99).Microseconds())/1000, "p99-ms")
	}
	for _, driver := range modelstest.Drivers() {
		s, _ := modelstest.Open(b, driver, clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, modelstest.Shanghai)))
		e := newWeComEnv(b, s)
		b.Run("verify+decrypt/"+driver, func(b *testing.B) {
			q, body := benchCallbacks(b, e, b.N, 1)
			run(b, verifyOnly(e.Crypto), q, body)
		})
		b.Run("stored/"+driver, func(b *testing.B) {
			q, body := benchCallbacks(b, e, b.N, time.Now().UnixNano())
			run(b, e.Handler, q, body)
			var n int64
			s.DB(context.Background()).Table("inbound_deliveries").Count(&n)
			if n < int64(b.N) {
				b.Fatalf("stored %d deliveries for %d callbacks", n, b.N)
			}
		})
	}
}

// TestWeComLoad is a load generator over real TCP: C concurrent senders
// for D against the verify+decrypt baseline and the full stored path on
// every configured database. It reports throughput and p50/p90/p99.
// Opt in:
//
//	VISITBOT_WECOM_LOAD=10s VISITBOT_WECOM_LOAD_CONC=8 go test -run WeComLoad -v ./handlers/
func TestWeComLoad(t *testing.T) {
	dur, err := time.ParseDuration(os.Getenv("VISITBOT_WECOM_LOAD"))
	if err != nil {
		t.Skip("set VISITBOT_WECOM_LOAD=10s to run the WeCom load generator")
	}
	conc := 8
	if c, err := strconv.Atoi(os.Getenv("VISITBOT_WECOM_LOAD_CONC")); err == nil && c > 0 {
		conc = c
	}
	const pool = 40000 // pre-built callbacks; the run stops early if they run out
	for _, driver := range modelstest.Drivers() {
		s, _ := modelstest.Open(t, driver, clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, modelstest.Shanghai)))
		e := newWeComEnv(t, s)
		q, body := benchCallbacks(t, e, pool, 1)
		for _, target := range []struct {
			name string
			h    http.Handler
		}{{"verify+decrypt", verifyOnly(e.Crypto)}, {"stored/" + driver, e.Handler}} {
			srv := httptest.NewServer(target.h)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}, Timeout: 10 * time.Second}
			var next atomic.Int64
			lat := make([][]time.Duration, conc)
			errs := make([]int, conc)
			deadline := time.Now().Add(dur)
			start := time.Now()
			var wg sync.WaitGroup
			for w := range conc {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for time.Now().Before(deadline) {
						i := next.Add(1) - 1
						if i >= pool {
							return
						}
						t0 := time.Now()
						resp, err := client.Post(srv.URL+"/wecom/callback?"+q[i], "application/xml", bytes.NewReader(body[i]))
						if err == nil {
							_, _ = io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
						}
						lat[w] = append(lat[w], time.Since(t0))
						if err != nil || resp.StatusCode != http.StatusOK {
							errs[w]++
						}
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			srv.Close()
			var all []time.Duration
			bad := 0
			for w := range conc {
				all = append(all, lat[w]...)
				bad += errs[w]
			}
			slices.Sort(all)
			t.Logf("%-16s conc=%d n=%d errors=%d  %.0f callbacks/s  p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms",
				target.name, conc, len(all), bad, float64(len(all))/elapsed.Seconds(),
				ms(percentile(all, .5)), ms(percentile(all, .9)), ms(percentile(all, .99)), ms(all[len(all)-1]))
			if bad > 0 {
				t.Errorf("%s: %d callbacks failed", target.name, bad)
			}
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
