// Package handlers holds visitbot's Gin routes. A handler decodes the
// request, calls one domain function and encodes the answer; business rules
// live in bot/, ranking/, models/ and the platform packages.
package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"visitbot/bot"
	"visitbot/bot/console"
	"visitbot/bot/dingtalk"
	"visitbot/bot/wecom"
	"visitbot/clock"
	"visitbot/models"
	"visitbot/web"
)

// Deps is everything the routes need. Optional parts (Console, WeCom, …) are
// nil when their platform is disabled, and their routes are then not mounted.
type Deps struct {
	Store        *models.Store
	Bot          *bot.Bot
	Log          *slog.Logger
	Clock        clock.Clock
	Registry     *prometheus.Registry
	MaxBodyBytes int64
	Console      *console.Console
	Version      string
	// Ingest serves the connector API /api/v1 (nil = not mounted).
	Ingest *Ingest
	// WeCom serves /wecom/callback (nil when wecom.enabled is false).
	WeCom *wecom.Callback
	// DingTalk serves /dingtalk/* (nil when dingtalk.enabled is false).
	DingTalk *dingtalk.Adapter
	// Web serves /dashboard, /m/* and /auth/* (nil = not mounted).
	Web *web.Pages
}

// Server is the Gin engine with visitbot's routes.
type Server struct {
	deps    Deps
	engine  *gin.Engine
	metrics *httpMetrics
	// tooLarge answers a body over server.max_body_bytes the way the route
	// rejects bodies itself (counted in its callback metrics), by route.
	tooLarge map[string]func(*gin.Context)
}

// New builds the router.
func New(d Deps) *Server {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.ContextWithFallback = true
	s := &Server{deps: d, engine: r, metrics: newHTTPMetrics(d.Registry), tooLarge: map[string]func(*gin.Context){}}
	r.Use(s.requestID(), s.recoverer(), s.accessLog(), s.limitBody(d.MaxBodyBytes))
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(d.Registry, promhttp.HandlerOpts{})))
	r.GET("/", func(c *gin.Context) {
		if d.Console != nil {
			c.Redirect(http.StatusFound, "/console")
			return
		}
		c.String(http.StatusOK, "visitbot %s\n", d.Version)
	})
	s.mountConsole(r)
	s.mountIngest(r)
	s.mountWeCom(r)
	s.mountDingTalk(r)
	s.mountWeb(r)
	return s
}

// Handler is the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.engine }

// Engine exposes the Gin engine for tests and for mounting more routes.
func (s *Server) Engine() *gin.Engine { return s.engine }

func (s *Server) healthz(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.deps.Store.Ping(ctx); err != nil {
		s.deps.Log.Warn("readyz: database not reachable", "err", err)
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "database unavailable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}
