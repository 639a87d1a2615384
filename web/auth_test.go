package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"visitbot/models"
	"visitbot/web"
)

type fixedToken string

func (f fixedToken) Token(context.Context) (string, error) { return string(f), nil }

// fakePlatforms serves WeCom getuserinfo and DingTalk topapi getuserinfo:
// code "good" is wecom user wx-<id>, DingTalk authCode "good" dt-<id>.
func fakePlatforms(t *testing.T, wecomUser, dingUser string) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cgi-bin/auth/getuserinfo", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("access_token") != "tok" {
			json.NewEncoder(w).Encode(map[string]any{"errcode": 40014, "errmsg": "invalid access_token"})
			return
		}
		if r.URL.Query().Get("code") != "good" {
			json.NewEncoder(w).Encode(map[string]any{"errcode": 40029, "errmsg": "invalid code"})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"errcode": 0, "errmsg": "ok", "userid": wecomUser})
	})
	mux.HandleFunc("POST /topapi/v2/user/getuserinfo", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Code string }
		json.NewDecoder(r.Body).Decode(&in)
		if r.URL.Query().Get("access_token") != "tok" || in.Code != "good" {
			json.NewEncoder(w).Encode(map[string]any{"errcode": 40078, "errmsg": "不存在的临时授权码"})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"errcode": 0, "result": map[string]any{"userid": dingUser}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestPlatformSignIn(t *testing.T) {
	var fake *httptest.Server
	e := newWorld(t, "sqlite", 0, func(o *web.Options) {
		fake = fakePlatforms(t, "wx-mgr", "dt-mgr")
		o.WeCom, o.WeComCorpID, o.WeComAPI = fixedToken("tok"), "ww123", fake.URL
		o.DingTalk, o.DingTalkAPI = fixedToken("tok"), fake.URL
	})
	ctx := context.Background()
	m := managers(t, e.store)[0]
	wx, dt := "wx-mgr", "dt-mgr"
	if err := e.store.DB(ctx).Model(&models.User{}).Where("id = ?", m.ID).Updates(map[string]any{"wecom_user_id": wx, "dingtalk_user_id": dt}).Error; err != nil {
		t.Fatal(err)
	}
	start := func(c *http.Client) string {
		resp, err := c.Get(e.srv.URL + "/auth/wecom?next=/dashboard")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		want := "https://open.weixin.qq.com/connect/oauth2/authorize?appid=ww123&redirect_uri=" + url.QueryEscape("http://visitbot.test/auth/wecom/callback") + "&response_type=code&scope=snsapi_base&state="
		if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, want) || !strings.HasSuffix(loc, "#wechat_redirect") {
			t.Fatalf("authorize redirect %d %s", resp.StatusCode, loc)
		}
		u, _ := url.Parse(loc)
		return u.Query().Get("state")
	}
	t.Run("wecom valid code", func(t *testing.T) {
		c := e.client(t)
		state := start(c)
		resp, err := c.Get(e.srv.URL + "/auth/wecom/callback?code=good&state=" + url.QueryEscape(state))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/dashboard" {
			t.Fatalf("callback = %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		var sc *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == web.SessionCookie {
				sc = ck
			}
		}
		if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Secure {
			t.Fatalf("session cookie = %+v", sc)
		}
		if st, _ := get(t, c, e.srv.URL+"/dashboard/api/summary"); st != http.StatusOK {
			t.Fatalf("signed-in summary = %d", st)
		}
		// The state is single-use.
		if st, _ := get(t, c, e.srv.URL+"/auth/wecom/callback?code=good&state="+url.QueryEscape(state)); st != http.StatusBadRequest {
			t.Fatalf("replayed state = %d", st)
		}
	})
	t.Run("wecom invalid code", func(t *testing.T) {
		c := e.client(t)
		state := start(c)
		if st, body := get(t, c, e.srv.URL+"/auth/wecom/callback?code=bad&state="+url.QueryEscape(state)); st != http.StatusUnauthorized || !contains(body, "授权码无效") {
			t.Fatalf("invalid code = %d %.200s", st, body)
		}
	})
	t.Run("wecom state mismatch", func(t *testing.T) {
		c := e.client(t)
		start(c)
		if st, _ := get(t, c, e.srv.URL+"/auth/wecom/callback?code=good&state=forged"); st != http.StatusBadRequest {
			t.Fatalf("state mismatch = %d", st)
		}
		// No state cookie at all (another browser).
		if st, _ := get(t, e.client(t), e.srv.URL+"/auth/wecom/callback?code=good&state=x"); st != http.StatusBadRequest {
			t.Fatalf("no state cookie = %d", st)
		}
	})
	t.Run("dingtalk", func(t *testing.T) {
		c := e.client(t)
		resp, err := c.Get(e.srv.URL + "/auth/dingtalk?authCode=good")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/dashboard" {
			t.Fatalf("dingtalk = %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if st, _ := get(t, e.client(t), e.srv.URL+"/auth/dingtalk?authCode=bad"); st != http.StatusUnauthorized {
			t.Fatalf("dingtalk invalid = %d", st)
		}
		if st, _ := get(t, e.client(t), e.srv.URL+"/auth/dingtalk"); st != http.StatusBadRequest {
			t.Fatalf("dingtalk missing = %d", st)
		}
	})
	t.Run("unknown platform user", func(t *testing.T) {
		if err := e.store.DB(ctx).Model(&models.User{}).Where("id = ?", m.ID).Update("dingtalk_user_id", nil).Error; err != nil {
			t.Fatal(err)
		}
		if st, _ := get(t, e.client(t), e.srv.URL+"/auth/dingtalk?authCode=good"); st != http.StatusForbidden {
			t.Fatalf("unknown user = %d", st)
		}
	})
}

// TestSignInNeverRedirectsOffOrigin: a TAB (which browsers strip), a
// backslash or a control byte in next lands on the user's home page.
func TestSignInNeverRedirectsOffOrigin(t *testing.T) {
	e := newWorld(t, "sqlite", 0, nil)
	m := managers(t, e.store)[0]
	for _, next := range []string{"/\t/other.host/x", "/\\other.host", "//other.host", "/\r\nX-Evil: 1", "/a\x00"} {
		resp, err := e.client(t).Get(e.srv.URL + "/auth/demo?user=" + url.QueryEscape(m.UserID) + "&next=" + url.QueryEscape(next))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != "/dashboard" {
			t.Errorf("next %q: %d Location %q, want /dashboard", next, resp.StatusCode, loc)
		}
	}
}

// TestLogoutNeedsFormToken: a cross-site POST cannot end a session.
func TestLogoutNeedsFormToken(t *testing.T) {
	e := newWorld(t, "sqlite", 0, nil)
	c := e.signIn(t, managers(t, e.store)[0].UserID)
	if st, _ := postForm(t, c, e.srv.URL+"/auth/logout", url.Values{"csrf": {"forged"}}); st != http.StatusForbidden {
		t.Fatalf("logout with a forged token = %d, want 403", st)
	}
	st, page := get(t, c, e.srv.URL+"/dashboard")
	if st != http.StatusOK {
		t.Fatalf("dashboard after a refused logout = %d", st)
	}
	if st, _ := postForm(t, c, e.srv.URL+"/auth/logout", url.Values{"csrf": {csrfOf(t, page)}}); st != http.StatusSeeOther {
		t.Fatalf("logout = %d, want 303", st)
	}
	if st, _ := get(t, c, e.srv.URL+"/dashboard"); st != http.StatusFound {
		t.Fatalf("dashboard after logout = %d, want a redirect to sign-in", st)
	}
}
