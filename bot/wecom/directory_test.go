package wecom_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"visitbot/bot/wecom"
)

// user/get against a fake WeCom API: the token of the shared client,
// 直属上级 decoded, errors free of the access token.
func TestDirectLeaders(t *testing.T) {
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
	client, err := wecom.NewClient(wecom.ClientOptions{APIBase: srv.URL, CorpID: "corp", Secret: "s3cret-value", AgentID: 1000002, Cache: wecom.NewMemoryCache(nil)})
	if err != nil {
		t.Fatal(err)
	}
	src := func(id string) ([]string, error) { return client.DirectLeaders(context.Background(), id) }
	got, err := src("r1")
	if err != nil || strings.Join(got, ",") != "wB,wC" {
		t.Fatalf("leaders = %v, %v", got, err)
	}
	if _, err := src("gone"); err == nil || !strings.Contains(err.Error(), "60111") {
		t.Fatalf("unknown user: %v", err)
	}
	_, err = src("boom")
	if err == nil || strings.Contains(err.Error(), "tok-SECRET") || !strings.Contains(err.Error(), "HTTP 500") {
		t.Fatalf("HTTP failure error must be redacted: %v", err)
	}
}
