// Package web serves the manager dashboard (/dashboard) and the reps' mobile
// pages (/m/*), signed in through WeCom OAuth2 or DingTalk 免登 (or the demo
// sign-in when the console is on). Pages are server-rendered HTML with
// inline SVG charts; the only script is the check-in page's geolocation.
// Every page and JSON endpoint checks the role: a rep sees own data, a
// manager own team, an admin everything. Domain writes go through flows.
package web

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"visitbot/clock"
	"visitbot/config"
	"visitbot/flows"
	"visitbot/importer"
	"visitbot/models"
)

//go:embed templates/*.html static/*
var assets embed.FS

// TokenSource is a platform app's access token (bot/wecom.Client and
// bot/dingtalk.Client both are).
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// Options wire the pages.
type Options struct {
	Store *models.Store
	Flows *flows.Flows
	Clock clock.Clock
	Log   *slog.Logger
	// Config is web.*; SessionSecret must be set (main generates one when empty).
	Config config.WebConfig
	// PublicURL is server.public_url: the OAuth redirect base; https turns on Secure cookies.
	PublicURL string
	// WeCom enables /auth/wecom (nil = off); CorpID and APIBase come from wecom.*.
	WeCom       TokenSource
	WeComCorpID string
	WeComAPI    string
	// DingTalk enables /auth/dingtalk (nil = off); OAPIBase is dingtalk.oapi_base.
	DingTalk    TokenSource
	DingTalkAPI string
	// Demo mounts /auth/demo?user=… (console.enabled only: it trusts anyone).
	Demo bool
	// HTTPClient calls the platforms' user-info APIs.
	HTTPClient *http.Client
	// Importer serves /admin/import (nil = no import page); UploadLimits
	// cap its uploads (MaxBytes is import.max_upload_bytes; zero = the
	// importer's defaults).
	Importer     *importer.Importer
	UploadLimits importer.UploadLimits
}

// Pages is the mounted web UI.
type Pages struct {
	o    Options
	sign *signer
	tpl  map[string]*template.Template
}

// New checks the options and parses the templates.
func New(o Options) (*Pages, error) {
	if o.Store == nil || o.Flows == nil {
		return nil, errors.New("web: store and flows are required")
	}
	if len(o.Config.SessionSecret) < config.MinSessionSecret {
		return nil, errors.New("web: session secret must be at least 32 characters")
	}
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Config.SessionTTL <= 0 {
		o.Config.SessionTTL = 12 * time.Hour
	}
	o.PublicURL = strings.TrimRight(o.PublicURL, "/")
	u, err := url.Parse(o.PublicURL)
	if err != nil {
		return nil, errors.New("web: public_url is not a URL")
	}
	p := &Pages{o: o, sign: &signer{key: []byte(o.Config.SessionSecret), clock: o.Clock, ttl: o.Config.SessionTTL, secure: u.Scheme == "https"}}
	if p.tpl, err = parseTemplates(); err != nil {
		return nil, err
	}
	return p, nil
}

// Mount adds the routes to r.
func (p *Pages) Mount(r gin.IRouter) {
	g := r.Group("", pageHeaders)
	g.GET("/static/web/:file", p.static)
	g.GET("/auth/login", p.loginPage)
	g.POST("/auth/logout", p.logout)
	if p.o.WeCom != nil {
		g.GET("/auth/wecom", p.wecomStart)
		g.GET("/auth/wecom/callback", p.wecomCallback)
	}
	if p.o.DingTalk != nil {
		g.GET("/auth/dingtalk", p.dingtalkSignIn)
	}
	if p.o.Demo {
		g.GET("/auth/demo", p.demoSignIn)
	}
	a := g.Group("", p.signedIn)
	a.GET("/dashboard", p.dashboard)
	a.GET("/dashboard/api/summary", p.summaryJSON)
	a.POST("/dashboard/alerts/:id", p.alertAction)
	a.GET("/m/doctor/:id", p.doctorPage)
	a.GET("/m/feedback/:visitID", p.feedbackPage)
	a.POST("/m/feedback/:visitID", p.feedbackSubmit)
	a.GET("/m/checkin", p.checkinPage)
	a.POST("/m/checkin", p.checkinSubmit)
	a.GET("/m/route", p.routePage)
	a.GET("/m/card/:taskID", p.cardPage)
	p.mountAdminImport(a)
}

// csp allows only this origin's stylesheet and script; no inline script.
const csp = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func pageHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	c.Next()
}

func (p *Pages) static(c *gin.Context) {
	name := c.Param("file")
	data, err := assets.ReadFile("static/" + name)
	if err != nil || strings.Contains(name, "/") {
		c.Status(http.StatusNotFound)
		return
	}
	ct := "text/css; charset=utf-8"
	if strings.HasSuffix(name, ".js") {
		ct = "text/javascript; charset=utf-8"
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, ct, data)
}
