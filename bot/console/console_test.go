package console

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/internal/botstore"
	"visitbot/models"
	"visitbot/models/modelstest"
)

func newTestConsole(t *testing.T, s *models.Store) (*Console, *models.User) {
	t.Helper()
	b := bot.New(botstore.New(s), s.Clock(), s.Location(), slog.New(slog.DiscardHandler))
	if err := b.Seal(); err != nil {
		t.Fatal(err)
	}
	u := &models.User{UserID: "rep01", Name: "张三", Role: models.RoleRep, Active: true}
	if err := s.Users.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return New(s, b, s.Clock()), u
}

func TestUpdateRewritesStoredCard(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		c, u := newTestConsole(t, s)
		to := bot.Recipient{UserID: u.ID, PlatformUserID: u.UserID}
		card := cards.Card{Layout: cards.VoteInteraction, Kind: "feedback_step1", TaskID: "T-9", Title: "拜访反馈",
			Checkbox: &cards.Checkbox{QuestionKey: "concerns", Options: []cards.Option{{ID: "price", Text: "价格"}}, Multi: true},
			Submit:   &cards.Button{Key: "fb:1", Text: "提交"}}
		res, err := c.Send(ctx, to, bot.Message{Card: &card})
		if err != nil || res.MsgID == "" || res.ResponseCode == "" {
			t.Fatalf("send = %+v, %v", res, err)
		}

		if err := c.Update(ctx, to, bot.CardUpdate{TaskID: "T-9", ReplaceName: "已提交"}); err != nil {
			t.Fatal(err)
		}
		got, err := c.cardOf(ctx, u.ID, "T-9")
		if err != nil || got.ReplaceText != "已提交" || got.Checkbox == nil {
			t.Fatalf("after replace_name: %+v, %v", got, err)
		}

		whole := card
		whole.Title, whole.ReplaceText = "拜访反馈（已完成）", "已完成"
		whole.Checkbox = &cards.Checkbox{QuestionKey: "concerns", Options: card.Checkbox.Options, Disabled: true}
		if err := c.Update(ctx, to, bot.CardUpdate{TaskID: "T-9", Card: &whole}); err != nil {
			t.Fatal(err)
		}
		got, _ = c.cardOf(ctx, u.ID, "T-9")
		if got.Title != "拜访反馈（已完成）" || !got.Checkbox.Disabled {
			t.Fatalf("after whole-card update: %+v", got)
		}

		if err := c.Update(ctx, to, bot.CardUpdate{TaskID: "T-9"}); err == nil {
			t.Error("an update with nothing to change succeeded")
		}
		if err := c.Update(ctx, to, bot.CardUpdate{TaskID: "missing", ReplaceName: "x"}); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("update of a card never sent: %v", err)
		}
	})
}

func TestMessagesShowsUnreadableRow(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		c, u := newTestConsole(t, s)
		if err := s.DB(ctx).Create(&models.ConsoleMessage{UserID: u.ID, Direction: "out", Kind: "card", Body: "{not json"}).Error; err != nil {
			t.Fatal(err)
		}
		got, err := c.Messages(ctx, "rep01", DefaultMessages)
		if err != nil || len(got) != 1 || got[0].Kind != "text" || got[0].Text == "" {
			t.Fatalf("messages = %+v, %v", got, err)
		}
		if _, err := c.Messages(ctx, "nobody", 10); !errors.Is(err, ErrUnknownUser) || !errors.Is(err, models.ErrNotFound) {
			t.Errorf("unknown user: %v", err)
		}
		if _, err := c.Post(ctx, "nobody", "", bot.Event{Kind: bot.EventText, Text: "help"}); !errors.Is(err, ErrUnknownUser) {
			t.Errorf("post as unknown user: %v", err)
		}
	})
}

func ptr(f float64) *float64 { return &f }

func TestValidate(t *testing.T) {
	ok := TextRequest{User: "rep01", Text: "help", ClientID: "abc-_09"}
	cases := []struct {
		name string
		v    interface{ Validate() error }
		ok   bool
	}{
		{"text ok", ok, true},
		{"text at limit", TextRequest{User: "u", Text: strings.Repeat("拜", MaxTextRunes)}, true},
		{"text over limit", TextRequest{User: "u", Text: strings.Repeat("拜", MaxTextRunes+1)}, false},
		{"text invalid utf8", TextRequest{User: "u", Text: "\xff"}, false},
		{"text blank", TextRequest{User: "u", Text: "\n\t "}, false},
		{"no user", TextRequest{Text: "help"}, false},
		{"long user", TextRequest{User: strings.Repeat("u", 65), Text: "help"}, false},
		{"client id non-ascii", TextRequest{User: "u", Text: "help", ClientID: "拜"}, false},
		{"client id at limit", TextRequest{User: "u", Text: "help", ClientID: strings.Repeat("a", MaxClientIDLen)}, true},
		{"action ok", ActionRequest{User: "u", TaskID: "t", Key: "k", Selected: []SelectionRequest{{QuestionKey: "q", OptionIDs: []string{"a", "b"}}}}, true},
		{"action long task", ActionRequest{User: "u", TaskID: strings.Repeat("t", MaxTaskIDLen+1), Key: "k"}, false},
		{"action long key", ActionRequest{User: "u", TaskID: "t", Key: strings.Repeat("k", MaxKeyLen+1)}, false},
		{"action too many options", ActionRequest{User: "u", TaskID: "t", Key: "k", Selected: []SelectionRequest{{QuestionKey: "q", OptionIDs: make([]string, MaxOptionIDs+1)}}}, false},
		{"action empty question", ActionRequest{User: "u", TaskID: "t", Key: "k", Selected: []SelectionRequest{{}}}, false},
		{"location ok", LocationRequest{User: "u", Lat: ptr(-90), Lng: ptr(180)}, true},
		{"location lat", LocationRequest{User: "u", Lat: ptr(-90.01), Lng: ptr(0)}, false},
		{"location lng", LocationRequest{User: "u", Lat: ptr(0), Lng: ptr(180.01)}, false},
		{"location missing", LocationRequest{User: "u", Lat: ptr(0)}, false},
		{"location label", LocationRequest{User: "u", Lat: ptr(0), Lng: ptr(0), Label: strings.Repeat("院", MaxLabelRunes+1)}, false},
	}
	for _, tc := range cases {
		err := tc.v.Validate()
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && !IsInputError(err) {
			t.Errorf("%s: %v is not an InputError", tc.name, err)
		}
	}
}

// FuzzRequests decodes arbitrary page JSON: validation never panics, and
// whatever it accepts respects the limits the store and bot rely on.
func FuzzRequests(f *testing.F) {
	f.Add(`{"user":"rep01","text":"help","client_id":"a1"}`)
	f.Add(`{"user":"rep01","task_id":"T","key":"k","selected":[{"question_key":"q","option_ids":["a"]}]}`)
	f.Add(`{"user":"rep01","lat":31.2,"lng":121.4,"label":"瑞金医院"}`)
	f.Add(`{"user":"rep01","lat":1e400,"lng":-0}`)
	f.Fuzz(func(t *testing.T, raw string) {
		var tr TextRequest
		if json.Unmarshal([]byte(raw), &tr) == nil && tr.Validate() == nil {
			if utf8.RuneCountInString(tr.Text) > MaxTextRunes || len(tr.User+":"+tr.ClientID) > 191-len("console:") {
				t.Fatalf("accepted %+v", tr)
			}
		}
		var ar ActionRequest
		if json.Unmarshal([]byte(raw), &ar) == nil && ar.Validate() == nil {
			if ar.TaskID == "" || len(ar.TaskID) > MaxTaskIDLen || len(ar.Selected) > MaxSelections {
				t.Fatalf("accepted %+v", ar)
			}
		}
		var lr LocationRequest
		if json.Unmarshal([]byte(raw), &lr) == nil && lr.Validate() == nil {
			if *lr.Lat < -90 || *lr.Lat > 90 || *lr.Lng < -180 || *lr.Lng > 180 {
				t.Fatalf("accepted %+v", lr)
			}
		}
	})
}

func scriptOf(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindSubmatch(Page())
	if m == nil {
		t.Fatal("page has no inline script")
	}
	return string(m[1])
}

func TestPageCSPHashesInlineBlocks(t *testing.T) {
	sum := sha256.Sum256([]byte(scriptOf(t)))
	want := "script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	csp := PageCSP()
	if !strings.Contains(csp, want) {
		t.Errorf("CSP %q lacks %q", csp, want)
	}
	for _, d := range []string{"default-src 'none'", "connect-src 'self'", "frame-ancestors 'none'", "style-src 'sha256-"} {
		if !strings.Contains(csp, d) {
			t.Errorf("CSP lacks %q", d)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("CSP allows unsafe sources: %q", csp)
	}
}

// TestPageIsSelfContained guards the page's rules: no CDN or other remote
// resource, no HTML parsing of server strings, no inline handlers (which the
// CSP would block).
func TestPageIsSelfContained(t *testing.T) {
	page := string(Page())
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "src=\"http", "href=\"http", "onclick=", "onload=", "style=\""} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("page has %d script tags, want 1 inline", n)
	}
}

// TestPageScriptParses checks the script's syntax with Node when it is
// installed (no browser needed); the test is skipped otherwise.
func TestPageScriptParses(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	path := filepath.Join(t.TempDir(), "page.js")
	if err := os.WriteFile(path, []byte(scriptOf(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(node, "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("node --check: %v\n%s", err, out)
	}
}

// TestMessagesTodayFirstAfterHistory is the README's history step: the demo
// wrote today's lines, then `simulate` wrote a past fortnight (higher ids,
// older times). The page's latest lines are still today's, and every earlier
// line is reachable page by page, each once, in time order.
func TestMessagesTodayFirstAfterHistory(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		c, u := newTestConsole(t, s)
		clk := s.Clock().(interface{ Set(time.Time) })
		today := time.Date(2026, 12, 1, 8, 0, 0, 0, modelstest.Shanghai)
		to := bot.Recipient{UserID: u.ID, PlatformUserID: u.UserID}
		send := func(at time.Time, text string) {
			clk.Set(at)
			if _, err := c.Send(ctx, to, bot.Message{Text: text}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 3 {
			send(today.Add(time.Duration(i)*time.Minute), fmt.Sprintf("today-%d", i))
		}
		// The history: 14 days × 12 lines, several at the same instant.
		for d := range 14 {
			for i := range 12 {
				send(time.Date(2026, 11, 9+d, 9, i/3, 0, 0, modelstest.Shanghai), fmt.Sprintf("h-%02d-%02d", d, i))
			}
		}
		clk.Set(today.Add(time.Hour))
		latest, err := c.Messages(ctx, "rep01", DefaultMessages)
		if err != nil || len(latest) != DefaultMessages {
			t.Fatalf("latest: %d lines, %v", len(latest), err)
		}
		if got := latest[len(latest)-1].Text; got != "today-2" {
			t.Fatalf("the newest line shown is %q, want today's last", got)
		}
		var all []MessageView
		page := latest
		for len(page) > 0 {
			all = append(page, all...)
			if page, err = c.MessagesBefore(ctx, "rep01", page[0].ID, DefaultMessages); err != nil {
				t.Fatal(err)
			}
		}
		if len(all) != 3+14*12 {
			t.Fatalf("pages hold %d lines, want %d", len(all), 3+14*12)
		}
		for i := 1; i < len(all); i++ {
			a, b := all[i-1], all[i]
			if b.At.Before(a.At) || (b.At.Equal(a.At) && b.ID <= a.ID) {
				t.Fatalf("line %d (%s %q) after (%s %q)", i, b.At, b.Text, a.At, a.Text)
			}
		}
		if all[0].Text != "h-00-00" {
			t.Fatalf("first line %q", all[0].Text)
		}
		if _, err := c.MessagesBefore(ctx, "rep01", 999999, 10); !IsInputError(err) {
			t.Fatalf("unknown cursor: %v", err)
		}
	})
}

// TestGlossaryOverConsolePage: the console page's own words (its markup and
// its script's messages) keep to the glossary the cards use.
func TestGlossaryOverConsolePage(t *testing.T) {
	page := string(Page())
	texts := append(cards.PageTexts(page), cards.ScriptTexts(page)...)
	if len(texts) < 20 {
		t.Fatalf("only %d texts read from the page", len(texts))
	}
	for _, s := range texts {
		for _, bad := range cards.ForeignTerms(s) {
			t.Errorf("console page %q says %q; the glossary term is %q", s, bad.Wrong, bad.Term)
		}
	}
}
