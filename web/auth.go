package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"visitbot/models"
)

// Platform error codes the sign-in maps to 401 (a bad or used code).
const (
	// wecomInvalidCode is WeCom's "invalid code" (expired, used, or forged).
	wecomInvalidCode = 40029
	// dingtalkInvalidCode is DingTalk's "不存在的临时授权码".
	dingtalkInvalidCode = 40078
)

// errInvalidCode is a code the platform refused: the user gets 401.
var errInvalidCode = errors.New("invalid sign-in code")

// errNotMember is a platform user that is not an employee (WeCom answers an openid).
var errNotMember = errors.New("not a member of the organisation")

// viewerKey holds the signed-in user in the gin context.
const viewerKey = "web.viewer"

type viewer struct {
	user *models.User
	sess session
}

func viewerOf(c *gin.Context) *viewer { return c.MustGet(viewerKey).(*viewer) }

func home(u *models.User) string {
	if u.Role == models.RoleRep {
		return "/m/route"
	}
	return "/dashboard"
}

// signedIn loads the session's user (still active) or sends the browser to
// the sign-in page (JSON: 401).
func (p *Pages) signedIn(c *gin.Context) {
	sess, err := p.sign.read(c.Request)
	var u *models.User
	if err == nil {
		u, err = p.o.Store.Users.UserByID(c.Request.Context(), sess.UserID)
		if err == nil && !u.Active {
			err = models.ErrNotFound
		}
	}
	if err != nil {
		if !errors.Is(err, errBadCookie) && !errors.Is(err, models.ErrNotFound) {
			p.internal(c, err)
			return
		}
		if isAPI(c) {
			c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "sign in first"})
			return
		}
		c.Redirect(http.StatusFound, "/auth/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	c.Set(viewerKey, &viewer{user: u, sess: sess})
	c.Next()
}

func isAPI(c *gin.Context) bool { return strings.Contains(c.Request.URL.Path, "/api/") }

// signIn starts a session for the platform user and goes on to next.
func (p *Pages) signIn(c *gin.Context, platform, platformUserID, next string) {
	u, err := p.o.Store.Users.UserByPlatformID(c.Request.Context(), platform, platformUserID)
	if errors.Is(err, models.ErrNotFound) {
		p.o.Log.Info("web sign-in by unknown user", "platform", platform)
		p.fail(c, http.StatusForbidden, "您的账号尚未开通拜访助手，请联系管理员。")
		return
	}
	if err != nil {
		p.internal(c, err)
		return
	}
	p.sign.issue(c.Writer, u.ID, platform)
	p.o.Log.Info("web sign-in", "platform", platform, "user", u.UserID)
	if next = safeNext(next); next == "" {
		next = home(u)
	}
	c.Redirect(http.StatusFound, next)
}

func (p *Pages) loginPage(c *gin.Context) {
	var demo []demoGroup
	if p.o.Demo {
		users, err := p.o.Store.Users.Users(c.Request.Context(), "")
		if err != nil {
			p.internal(c, err)
			return
		}
		demo = demoGroups(users)
	}
	p.render(c, http.StatusOK, "login", gin.H{"Title": "登录", "WeCom": p.o.WeCom != nil, "DingTalk": p.o.DingTalk != nil,
		"Demo": demo, "Next": safeNext(c.Query("next"))})
}

// logout ends the session. It takes the session's form token like every
// other POST, so a foreign page cannot sign a user out; a request without a
// valid session has nothing to end and only clears the cookie.
func (p *Pages) logout(c *gin.Context) {
	if sess, err := p.sign.read(c.Request); err == nil && !p.sign.checkCSRF(sess, c.PostForm("csrf")) {
		p.o.Log.Info("web logout without form token")
		p.fail(c, http.StatusForbidden, "页面已过期，请刷新后重试。")
		return
	}
	http.SetCookie(c.Writer, p.sign.cookie(SessionCookie, "", -time.Second))
	c.Redirect(http.StatusSeeOther, "/auth/login")
}

// wecomStart sends the browser to WeCom's OAuth2 page (snsapi_base: no
// consent screen inside WeCom) with a fresh state.
func (p *Pages) wecomStart(c *gin.Context) {
	state := p.sign.newState(c.Writer, safeNext(c.Query("next")))
	// WeCom wants the parameters in this order and the #wechat_redirect fragment.
	target := fmt.Sprintf("%s?appid=%s&redirect_uri=%s&response_type=code&scope=snsapi_base&state=%s#wechat_redirect",
		p.o.Config.WeComAuthorizeURL, url.QueryEscape(p.o.WeComCorpID), url.QueryEscape(p.o.PublicURL+"/auth/wecom/callback"), url.QueryEscape(state))
	c.Redirect(http.StatusFound, target)
}

func (p *Pages) wecomCallback(c *gin.Context) {
	next, ok := p.sign.checkState(c.Writer, c.Request, c.Query("state"))
	if !ok {
		p.fail(c, http.StatusBadRequest, "登录请求已失效或来源不明，请从工作台重新打开。")
		return
	}
	code := c.Query("code")
	if code == "" {
		p.fail(c, http.StatusBadRequest, "缺少授权码，请从工作台重新打开。")
		return
	}
	userID, err := p.wecomUserID(c.Request.Context(), code)
	p.finishPlatform(c, "wecom", userID, next, err)
}

// dingtalkSignIn takes the 免登 authCode the DingTalk H5 page obtained
// (dd.runtime.permission.requestAuthCode) and resolves it to the user.
func (p *Pages) dingtalkSignIn(c *gin.Context) {
	code := c.Query("authCode")
	if code == "" {
		p.fail(c, http.StatusBadRequest, "缺少免登授权码，请从钉钉工作台重新打开。")
		return
	}
	userID, err := p.dingtalkUserID(c.Request.Context(), code)
	p.finishPlatform(c, "dingtalk", userID, c.Query("next"), err)
}

func (p *Pages) finishPlatform(c *gin.Context, platform, userID, next string, err error) {
	switch {
	case errors.Is(err, errInvalidCode):
		p.fail(c, http.StatusUnauthorized, "授权码无效或已使用，请从工作台重新打开。")
	case errors.Is(err, errNotMember):
		p.fail(c, http.StatusForbidden, "仅限企业成员使用。")
	case err != nil:
		p.o.Log.Error("web sign-in: platform call failed", "platform", platform, "err", err)
		p.fail(c, http.StatusBadGateway, "暂时无法完成登录，请稍后重试。")
	default:
		p.signIn(c, platform, userID, next)
	}
}

func (p *Pages) demoSignIn(c *gin.Context) {
	p.signIn(c, "console", c.Query("user"), c.Query("next"))
}

// wecomUserID exchanges an OAuth code for the member's userid
// (cgi-bin/auth/getuserinfo with the app's token).
func (p *Pages) wecomUserID(ctx context.Context, code string) (string, error) {
	tok, err := p.o.WeCom.Token(ctx)
	if err != nil {
		return "", fmt.Errorf("wecom token: %w", err)
	}
	q := url.Values{"access_token": {tok}, "code": {code}}
	var out struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
		UserID  string `json:"userid"`
		UserId2 string `json:"UserId"`
		OpenID  string `json:"openid"`
	}
	if err := p.call(ctx, http.MethodGet, strings.TrimRight(p.o.WeComAPI, "/")+"/cgi-bin/auth/getuserinfo?"+q.Encode(), nil, &out); err != nil {
		return "", fmt.Errorf("wecom getuserinfo: %w", err)
	}
	switch {
	case out.ErrCode == wecomInvalidCode:
		return "", errInvalidCode
	case out.ErrCode != 0:
		return "", fmt.Errorf("wecom getuserinfo: errcode %d: %s", out.ErrCode, out.ErrMsg)
	case out.UserID != "":
		return out.UserID, nil
	case out.UserId2 != "":
		return out.UserId2, nil
	}
	return "", errNotMember
}

// dingtalkUserID exchanges a 免登 authCode for the user's userid
// (topapi/v2/user/getuserinfo with the app's token).
func (p *Pages) dingtalkUserID(ctx context.Context, code string) (string, error) {
	tok, err := p.o.DingTalk.Token(ctx)
	if err != nil {
		return "", fmt.Errorf("dingtalk token: %w", err)
	}
	body, _ := json.Marshal(map[string]string{"code": code})
	var out struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
		Result  struct {
			UserID string `json:"userid"`
		} `json:"result"`
	}
	u := strings.TrimRight(p.o.DingTalkAPI, "/") + "/topapi/v2/user/getuserinfo?" + url.Values{"access_token": {tok}}.Encode()
	if err := p.call(ctx, http.MethodPost, u, body, &out); err != nil {
		return "", fmt.Errorf("dingtalk getuserinfo: %w", err)
	}
	switch {
	case out.ErrCode == dingtalkInvalidCode:
		return "", errInvalidCode
	case out.ErrCode != 0:
		return "", fmt.Errorf("dingtalk getuserinfo: errcode %d: %s", out.ErrCode, out.ErrMsg)
	case out.Result.UserID == "":
		return "", errNotMember
	}
	return out.Result.UserID, nil
}

// call does one JSON request. Errors never carry the URL's query (the token).
func (p *Pages) call(ctx context.Context, method, u string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return errors.New("bad request URL")
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := p.o.HTTPClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return fmt.Errorf("%s %s: %w", method, req.URL.Path, ue.Err)
		}
		return fmt.Errorf("%s %s: request failed", method, req.URL.Path)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%s %s: read: %w", method, req.URL.Path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: HTTP %d", method, req.URL.Path, resp.StatusCode)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: decode: %w", method, req.URL.Path, err)
	}
	return nil
}
