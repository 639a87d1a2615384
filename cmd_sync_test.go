package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/util"

	"visitbot/bot/wecom"
	"visitbot/config"
	"visitbot/models"
	"visitbot/models/modelstest"
)

func TestSyncManagersFromDirectLeaders(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		wid := func(s string) *string { return &s }
		mk := func(id string, role models.Role, wecomID *string, mgr *models.User) *models.User {
			u := &models.User{UserID: id, Name: id, Role: role, Active: true, WeComUserID: wecomID}
			if mgr != nil {
				u.ManagerID = &mgr.ID
			}
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			return u
		}
		a := mk("mgrA", models.RoleManager, wid("wA"), nil)
		b := mk("mgrB", models.RoleManager, wid("wB"), nil)
		moved := mk("rep1", models.RoleRep, wid("r1"), a)
		mk("rep2", models.RoleRep, wid("r2"), a)
		mk("rep3", models.RoleRep, wid("r3"), nil)
		mk("rep4", models.RoleRep, wid("r4"), nil)
		mk("rep5", models.RoleRep, nil, nil)
		mk("rep6", models.RoleRep, wid("r6"), nil)
		fresh := mk("rep7", models.RoleRep, wid("r7"), nil)
		leaders := map[string][]string{"r1": {"wB"}, "r2": {"wA"}, "r4": {"stranger"}, "r7": {"r1", "wA"}}
		src := func(id string) ([]string, error) {
			if id == "r6" {
				return nil, errors.New("errcode=60111")
			}
			return leaders[id], nil
		}
		check := func(dry bool) syncResult {
			res, err := syncManagers(ctx, s, src, dry)
			if err == nil || !strings.Contains(err.Error(), "1 lookups failed") {
				t.Fatalf("want the failed lookup reported, got %v", err)
			}
			if res.Checked != 6 || res.Updated != 2 || res.Unchanged != 1 || len(res.NoLeader) != 1 || len(res.UnknownLeader) != 1 || len(res.Failed) != 1 {
				t.Fatalf("dry=%v: %s", dry, res)
			}
			return res
		}
		res := check(true)
		if got, _ := s.UserByID(ctx, moved.ID); *got.ManagerID != a.ID {
			t.Fatal("dry run wrote")
		}
		if !strings.Contains(res.String(), "rep1: manager mgrA → mgrB") || !strings.Contains(res.String(), "would update") {
			t.Fatalf("summary = %s", res)
		}
		check(false)
		if got, _ := s.UserByID(ctx, moved.ID); *got.ManagerID != b.ID {
			t.Fatalf("rep1's manager = %d, want %d", *got.ManagerID, b.ID)
		}
		// A rep listed as a leader is skipped; the next leader who is a manager counts.
		if got, _ := s.UserByID(ctx, fresh.ID); got.ManagerID == nil || *got.ManagerID != a.ID {
			t.Fatalf("rep7's manager = %v", got.ManagerID)
		}
	})
}

// The silenceper addresslist path against a fake WeCom API: token from
// visitbot's client, 直属上级 decoded, errors free of the access token.
func TestWeComLeadersThroughSilenceper(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/cgi-bin/gettoken", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"errcode":0,"access_token":"tok-SECRET","expires_in":7200}`))
	})
	mux.HandleFunc("/cgi-bin/user/get", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("access_token") != "tok-SECRET" {
			w.Write([]byte(`{"errcode":40014,"errmsg":"invalid access_token"}`))
			return
		}
		switch r.URL.Query().Get("userid") {
		case "r1":
			w.Write([]byte(`{"errcode":0,"errmsg":"ok","userid":"r1","direct_leader":["wB","wC"]}`))
		case "gone":
			w.Write([]byte(`{"errcode":60111,"errmsg":"userid not found"}`))
		default:
			http.Error(w, "boom", http.StatusInternalServerError)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	t.Cleanup(func() { util.SetURIModifier(nil); util.DefaultHTTPClient = http.DefaultClient })
	client, err := wecom.NewClient(wecom.ClientOptions{APIBase: srv.URL, CorpID: "corp", Secret: "s3cret-value", AgentID: 1000002, Cache: wecom.NewMemoryCache(nil)})
	if err != nil {
		t.Fatal(err)
	}
	src := weComLeaders(context.Background(), config.WeComConfig{CorpID: "corp", AgentID: 1000002, APIBase: srv.URL, HTTPTimeout: 5 * time.Second}, client)
	got, err := src("r1")
	if err != nil || strings.Join(got, ",") != "wB,wC" {
		t.Fatalf("leaders = %v, %v", got, err)
	}
	if _, err := src("gone"); err == nil || !strings.Contains(err.Error(), "60111") {
		t.Fatalf("unknown user: %v", err)
	}
	_, err = src("boom")
	if err == nil || strings.Contains(err.Error(), "tok-SECRET") || !strings.Contains(err.Error(), "access_token=***") {
		t.Fatalf("HTTP failure error must be redacted: %v", err)
	}
}
