package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"

	"visitbot/clock"
)

// WeCom errcodes the client reacts to (document 96213).
const (
	CodeInvalidCredential = 40001 // invalid secret or access_token
	CodeInvalidToken      = 40014 // invalid access_token
	CodeTokenExpired      = 42001 // access_token expired
	CodeRateLimited       = 45009 // API frequency exceeded
	CodeConcurrencyLimit  = 45033 // API concurrency exceeded
	CodeSystemBusy        = -1
	CodeInvalidParam      = 40058 // invalid parameter (e.g. a card field)
	CodeCardActionMissing = 42045 // template_card without card_action
	CodeInvalidUser       = 40003 // invalid userid
	CodeAllUsersInvalid   = 81013 // every recipient invalid
)

// Client defaults.
const (
	DefaultHTTPTimeout = 10 * time.Second
	DefaultRetries     = 2
	DefaultBackoff     = 500 * time.Millisecond
	maxResponseBytes   = 1 << 20
)

// APIError is a non-zero errcode from the WeCom API. It never carries the
// access token or the secret.
type APIError struct {
	Path    string
	Code    int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("wecom %s: errcode %d: %s", e.Path, e.Code, e.Message)
}

// StatusError is an HTTP status other than 200 from the WeCom API.
type StatusError struct {
	Path   string
	Status int
}

func (e *StatusError) Error() string { return fmt.Sprintf("wecom %s: HTTP %d", e.Path, e.Status) }

// ClientOptions configure NewClient.
type ClientOptions struct {
	// APIBase is honoured by every call (private deployments, test fakes).
	APIBase string
	CorpID  string
	Secret  string
	AgentID int
	// Cache holds the access token; share a database-backed cache between
	// replicas (NewStoreCache). Required.
	Cache cache.Cache
	// HTTPClient defaults to a new client with HTTPTimeout (never http.DefaultClient).
	HTTPClient  *http.Client
	HTTPTimeout time.Duration
	// Retries after 45009 or a 5xx/network failure, with exponential backoff from Backoff.
	Retries int
	Backoff time.Duration
	Log     *slog.Logger
}

// Client calls the WeCom server API for one self-built app. Tokens come
// from the shared cache; a 40014/42001/40001 invalidates the cached token
// and retries once with a fresh one. It is safe for concurrent use and
// holds no process-global state (it does not use silenceper's global HTTP
// client or URI modifier).
type Client struct {
	base     string
	corpID   string
	secret   string
	agentID  int
	cache    cache.Cache
	cacheKey string
	http     *http.Client
	retries  int
	backoff  time.Duration
	log      *slog.Logger
	// mu serialises token fetches in this process (one gettoken at a time).
	mu sync.Mutex
}

// NewClient checks the options.
func NewClient(o ClientOptions) (*Client, error) {
	if o.CorpID == "" || o.Secret == "" || o.Cache == nil {
		return nil, errors.New("wecom client: corp id, secret and cache are required")
	}
	base := strings.TrimRight(o.APIBase, "/")
	if base == "" {
		base = "https://qyapi.weixin.qq.com"
	}
	if u, err := url.Parse(base); err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("wecom client: api base %q is not an absolute URL", o.APIBase)
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: orDefault(o.HTTPTimeout, DefaultHTTPTimeout)}
	}
	retries := o.Retries
	if retries < 0 {
		retries = 0
	} else if retries == 0 {
		retries = DefaultRetries
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Client{
		base: base, corpID: o.CorpID, secret: o.Secret, agentID: o.AgentID, cache: o.Cache,
		// silenceper's WorkAccessToken key, so its API clients can share this cache.
		cacheKey: fmt.Sprintf("%s_access_token_%s_%d", credential.CacheKeyWorkPrefix, o.CorpID, o.AgentID),
		http:     hc, retries: retries, backoff: orDefault(o.Backoff, DefaultBackoff), log: log,
	}, nil
}

// AgentID is the app's AgentId (an integer, as WeCom documents it).
func (c *Client) AgentID() int { return c.agentID }

// Token returns a valid access token, from the cache or from gettoken.
func (c *Client) Token(ctx context.Context) (string, error) {
	if tok, ok := cache.GetContext(ctx, c.cache, c.cacheKey).(string); ok && tok != "" {
		return tok, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if tok, ok := cache.GetContext(ctx, c.cache, c.cacheKey).(string); ok && tok != "" {
		return tok, nil
	}
	tok, ttl, err := c.fetchToken(ctx)
	if err != nil {
		return "", err
	}
	if err := cache.SetContext(ctx, c.cache, c.cacheKey, tok, ttl); err != nil {
		c.log.Warn("wecom token cache write failed", "err", err)
	}
	return tok, nil
}

// invalidate drops the cached token if it is still the one WeCom refused
// (another goroutine or replica may have stored a fresh one meanwhile).
func (c *Client) invalidate(ctx context.Context, bad string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if tok, _ := cache.GetContext(ctx, c.cache, c.cacheKey).(string); tok == bad {
		if err := cache.DeleteContext(ctx, c.cache, c.cacheKey); err != nil {
			c.log.Warn("wecom token cache delete failed", "err", err)
		}
	}
}

func (c *Client) fetchToken(ctx context.Context) (string, time.Duration, error) {
	q := url.Values{"corpid": {c.corpID}, "corpsecret": {c.secret}}
	var res credential.ResAccessToken
	if err := c.roundTrip(ctx, http.MethodGet, "/cgi-bin/gettoken", q, nil, &res); err != nil {
		return "", 0, err
	}
	if res.ErrCode != 0 {
		return "", 0, &APIError{Path: "/cgi-bin/gettoken", Code: int(res.ErrCode), Message: c.redact(res.ErrMsg)}
	}
	if res.AccessToken == "" || res.ExpiresIn <= 0 {
		return "", 0, errors.New("wecom /cgi-bin/gettoken: empty token in answer")
	}
	exp := time.Duration(res.ExpiresIn) * time.Second
	// Refresh a little before WeCom's expiry so an in-flight call never carries a dying token.
	margin := min(5*time.Minute, exp/10)
	return res.AccessToken, exp - margin, nil
}

// apiResult is embedded in every answer of the JSON API.
type apiResult struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

func (r *apiResult) result() *apiResult { return r }

type resulter interface{ result() *apiResult }

// postJSON calls a token-authenticated JSON API: refresh-and-retry once on
// 40014/42001/40001, backoff and retry on 45009/45033/-1 and on 5xx or
// network failures. out must embed apiResult. Only for calls that are safe
// to repeat; sends use postOnce.
func (c *Client) postJSON(ctx context.Context, path string, body any, out resulter) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("wecom %s: encode: %w", path, err)
	}
	return c.call(ctx, http.MethodPost, path, nil, payload, out, c.retries)
}

// postOnce is postJSON for calls that must not be repeated here
// (message/send, update_template_card): a timeout, a 5xx or a -1 may come
// after WeCom delivered, so the error goes back to the outbox, whose retry
// carries the duplicate check and counts the attempt. Only a refused token
// (nothing was sent) is refreshed and tried again.
func (c *Client) postOnce(ctx context.Context, path string, body any, out resulter) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("wecom %s: encode: %w", path, err)
	}
	return c.call(ctx, http.MethodPost, path, nil, payload, out, 0)
}

// getJSON is postJSON for the GET APIs (query parameters, no body).
func (c *Client) getJSON(ctx context.Context, path string, q url.Values, out resulter) error {
	return c.call(ctx, http.MethodGet, path, q, nil, out, c.retries)
}

// call is one token-authenticated API call with the retries postJSON
// documents, at most retries of them beyond the token refresh.
func (c *Client) call(ctx context.Context, method, path string, params url.Values, payload []byte, out resulter, retries int) error {
	refreshed := false
	for attempt := 0; ; attempt++ {
		tok, err := c.Token(ctx)
		if err != nil {
			return err
		}
		*out.result() = apiResult{}
		q := url.Values{"access_token": {tok}}
		for k, v := range params {
			q[k] = v
		}
		err = c.roundTrip(ctx, method, path, q, payload, out)
		if err == nil {
			r := out.result()
			if r.ErrCode == 0 {
				return nil
			}
			err = &APIError{Path: path, Code: r.ErrCode, Message: c.redact(r.ErrMsg)}
			switch r.ErrCode {
			case CodeInvalidToken, CodeTokenExpired, CodeInvalidCredential:
				if !refreshed {
					refreshed = true
					c.invalidate(ctx, tok)
					continue
				}
				return err
			case CodeRateLimited, CodeConcurrencyLimit, CodeSystemBusy:
			default:
				return err
			}
		} else if !transient(err) {
			return err
		}
		if attempt >= retries {
			return err
		}
		if werr := clock.Sleep(ctx, c.delay(attempt)); werr != nil {
			return errors.Join(err, werr)
		}
	}
}

// delay is the wait before retry attempt+1 (clock.Backoff from the
// configured backoff, doubling up to the last retry).
func (c *Client) delay(attempt int) time.Duration {
	return clock.Backoff(attempt+1, c.backoff, c.backoff<<c.retries, 0, rand.Float64())
}

// transient reports whether err is worth retrying: a 5xx or a network failure.
func transient(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status >= 500
	}
	var ue *url.Error
	return errors.As(err, &ue)
}

// roundTrip does one HTTP exchange and decodes the JSON answer into out.
// Errors carry the path only, never the query (token, secret).
func (c *Client) roundTrip(ctx context.Context, method, path string, q url.Values, body []byte, out any) error {
	u := c.base + path + "?" + q.Encode()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("wecom %s: %w", path, c.redactErr(err))
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("wecom %s: %w", path, c.redactErr(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return fmt.Errorf("wecom %s: read: %w", path, c.redactErr(err))
	}
	if resp.StatusCode != http.StatusOK {
		return &StatusError{Path: path, Status: resp.StatusCode}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("wecom %s: decode answer (%d bytes): %w", path, len(data), err)
	}
	return nil
}

// redactErr rewrites a *url.Error so its URL has no query string, and scrubs
// the secret and any token from the message.
func (c *Client) redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		clean := ue.URL
		if i := strings.IndexByte(clean, '?'); i >= 0 {
			clean = clean[:i] + "?REDACTED"
		}
		inner := ue.Err
		if msg := inner.Error(); c.redact(msg) != msg {
			inner = errors.New(c.redact(msg))
		}
		return &url.Error{Op: ue.Op, URL: clean, Err: inner}
	}
	if msg := err.Error(); c.redact(msg) != msg {
		return errors.New(c.redact(msg))
	}
	return err
}

// redact removes the secret and the cached token from s.
func (c *Client) redact(s string) string {
	s = strings.ReplaceAll(s, c.secret, "REDACTED")
	if tok, ok := c.cache.Get(c.cacheKey).(string); ok && tok != "" {
		s = strings.ReplaceAll(s, tok, "REDACTED")
	}
	return s
}
