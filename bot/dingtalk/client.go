package dingtalk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"visitbot/bot"
	"visitbot/clock"
	"visitbot/models"
)

// API paths (relative to dingtalk.api_base).
const (
	PathAccessToken      = "/v1.0/oauth2/accessToken"
	PathBatchSend        = "/v1.0/robot/oToMessages/batchSend"
	PathCardCreate       = "/v1.0/card/instances/createAndDeliver"
	PathCardUpdate       = "/v1.0/card/instances"
	PathCardRegisterHook = "/v1.0/card/callbacks/register"
)

// tokenHeader carries the access token on every v1.0 call.
const tokenHeader = "x-acs-dingtalk-access-token"

// CodeQPSLimit is the error code of a call beyond an API's QPS (HTTP 403).
const CodeQPSLimit = "Forbidden.AccessDenied.QpsLimitForApi"

// qpsBackoff is how long the outbox waits after a QPS rejection: DingTalk
// counts per second, so the next second is free again.
const qpsBackoff = time.Second

// maxResponseBody bounds what visitbot reads of an API answer.
const maxResponseBody = 1 << 20

// ClientOptions configure a Client. Store shares the access token between
// replicas (nil keeps it in memory); Clock defaults to the system clock.
type ClientOptions struct {
	AppKey    string
	AppSecret string
	RobotCode string
	// APIBase is https://api.dingtalk.com unless a test fake says otherwise.
	APIBase    string
	QPS        int
	HTTPClient *http.Client
	Store      *models.Store
	Clock      clock.Clock
	Log        *slog.Logger
	// Sleep waits between retries (tests inject it).
	Sleep func(ctx context.Context, d time.Duration) error
	// LimiterClock times calls on the wire (the system clock); Clock
	// decides token expiry.
	LimiterClock clock.Clock
	// LimiterPer is the window QPS counts over (1 s); tests shrink it to
	// prove the limit quickly against a fake counting over the same window.
	LimiterPer time.Duration
}

// Client calls DingTalk's v1.0 OpenAPI with a shared, refreshing access
// token and a per-API QPS limiter. Errors never carry the token or secret.
// Safe for concurrent use.
type Client struct {
	opt     ClientOptions
	http    *http.Client
	tokens  *tokenSource
	limiter *apiLimiter
	sleep   func(ctx context.Context, d time.Duration) error
}

// NewClient checks the options and returns a Client.
func NewClient(o ClientOptions) (*Client, error) {
	if o.AppKey == "" || o.AppSecret == "" {
		return nil, errors.New("dingtalk client: app_key and app_secret are required")
	}
	if o.APIBase == "" {
		return nil, errors.New("dingtalk client: api_base is required")
	}
	o.APIBase = strings.TrimRight(o.APIBase, "/")
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.LimiterClock == nil {
		o.LimiterClock = clock.System{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Sleep == nil {
		o.Sleep = clock.Sleep
	}
	c := &Client{opt: o, http: o.HTTPClient, sleep: o.Sleep}
	c.limiter = newAPILimiter(o.QPS, o.LimiterPer, o.LimiterClock, nil)
	c.tokens = &tokenSource{store: o.Store, key: tokenSettingPrefix + o.AppKey, clk: o.Clock, fetch: c.fetchToken}
	return c, nil
}

// RobotCode is the robot the client sends as.
func (c *Client) RobotCode() string { return c.opt.RobotCode }

// Token returns the app's access token from the shared cache; the web
// sign-in (免登) uses it for oapi user lookups.
func (c *Client) Token(ctx context.Context) (string, error) { return c.tokens.Token(ctx) }

// APIError is a DingTalk error answer. It holds what DingTalk said, never
// the request (which may carry the secret).
type APIError struct {
	API       string
	Status    int
	Code      string
	Message   string
	RequestID string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("dingtalk %s: HTTP %d %s: %s (request id %s)", e.API, e.Status, e.Code, e.Message, e.RequestID)
}

// IsAuth reports a rejected access token: DingTalk answers 401, or 400
// with InvalidAuthentication / "不合法的access_token".
func (e *APIError) IsAuth() bool {
	return e.Status == http.StatusUnauthorized || e.Code == "InvalidAuthentication" ||
		strings.Contains(strings.ToLower(e.Message), "access_token") || strings.Contains(e.Code, "InvalidAccessToken")
}

// IsQPSLimit reports a per-API QPS rejection.
func (e *APIError) IsQPSLimit() bool {
	return e.Status == http.StatusForbidden && strings.HasPrefix(e.Code, "Forbidden.AccessDenied.QpsLimit")
}

// fetchToken asks DingTalk for a new token (no token header, limited like any API).
func (c *Client) fetchToken(ctx context.Context) (string, time.Duration, error) {
	var out struct {
		AccessToken string `json:"accessToken"`
		ExpireIn    int64  `json:"expireIn"`
	}
	in := map[string]string{"appKey": c.opt.AppKey, "appSecret": c.opt.AppSecret}
	if err := c.call(ctx, http.MethodPost, PathAccessToken, "", in, &out); err != nil {
		return "", 0, fmt.Errorf("dingtalk access token: %w", err)
	}
	if out.AccessToken == "" {
		return "", 0, errors.New("dingtalk access token: empty accessToken in answer")
	}
	return out.AccessToken, time.Duration(out.ExpireIn) * time.Second, nil
}

// do calls an API with the access token, refreshing it once if DingTalk
// rejects it. A QPS rejection becomes *bot.RetryAfterError; other 4xx
// answers are permanent (bot.ErrPermanent); 5xx and network errors are
// transient.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	for attempt := 0; ; attempt++ {
		tok, err := c.tokens.Token(ctx)
		if err != nil {
			return err
		}
		err = c.call(ctx, method, path, tok, in, out)
		var ae *APIError
		if errors.As(err, &ae) && ae.IsAuth() && attempt == 0 {
			c.opt.Log.Info("dingtalk token rejected, refreshing", "api", ae.API, "code", ae.Code)
			if ierr := c.tokens.Invalidate(ctx, tok); ierr != nil {
				return ierr
			}
			continue
		}
		return err
	}
}

// call sends one request after the limiter allows it and decodes the answer.
func (c *Client) call(ctx context.Context, method, path, token string, in, out any) error {
	api := method + " " + path
	release, err := c.limiter.Acquire(ctx, api)
	if err != nil {
		return err
	}
	// The call counts until its answer is read: only then is it sure to
	// have arrived.
	defer release()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return bot.Permanent(fmt.Errorf("dingtalk %s: encode request: %w", api, err))
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.opt.APIBase+path, body)
	if err != nil {
		return bot.Permanent(fmt.Errorf("dingtalk %s: %w", api, err))
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set(tokenHeader, token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error names the URL only; the token travels in a header.
		return fmt.Errorf("dingtalk %s: %w", api, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		return fmt.Errorf("dingtalk %s: read answer: %w", api, err)
	}
	if resp.StatusCode/100 != 2 {
		return c.apiError(api, resp, raw)
	}
	if out == nil || len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("dingtalk %s: decode answer: %w", api, err)
	}
	return nil
}

func (c *Client) apiError(api string, resp *http.Response, raw []byte) error {
	var e struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		RequestID string `json:"requestid"`
	}
	_ = json.Unmarshal(raw, &e)
	ae := &APIError{API: api, Status: resp.StatusCode, Code: e.Code, Message: c.redact(e.Message), RequestID: e.RequestID}
	switch {
	case ae.IsQPSLimit():
		return &bot.RetryAfterError{After: qpsBackoff, Err: ae}
	case resp.StatusCode == http.StatusTooManyRequests:
		return &bot.RetryAfterError{After: qpsBackoff, Err: ae}
	case ae.IsAuth():
		return ae
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		return bot.Permanent(ae)
	}
	return ae
}

// redact removes the secret from a message DingTalk might echo.
func (c *Client) redact(s string) string {
	if len(s) > 512 {
		s = s[:512]
	}
	return strings.ReplaceAll(s, c.opt.AppSecret, "***")
}
