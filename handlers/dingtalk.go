package handlers

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"visitbot/bot/dingtalk"
)

// dingTalkEventBudget keeps an event answer inside DingTalk's 1.5 s limit.
const dingTalkEventBudget = 1200 * time.Millisecond

// maxDingTalkBody bounds every DingTalk callback body (they are small JSON).
const maxDingTalkBody = 256 << 10

// mountDingTalk serves the DingTalk callbacks when DingTalk is enabled:
// /dingtalk/robot (robot messages), /dingtalk/card/:token (advanced card
// actions, the path token is the secret) and /dingtalk/event (encrypted
// event subscription).
func (s *Server) mountDingTalk(r *gin.Engine) {
	if s.deps.DingTalk == nil {
		return
	}
	rejected := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "visitbot_dingtalk_callbacks_rejected_total", Help: "DingTalk callbacks refused before touching data, by route and status.",
	}, []string{"route", "status"})
	s.deps.Registry.MustRegister(rejected)
	h := &dingTalkHandler{s: s, a: s.deps.DingTalk, rejected: rejected}
	r.POST("/dingtalk/robot", h.robot)
	r.POST("/dingtalk/card/:token", h.card)
	r.POST("/dingtalk/event", h.event)
	for _, route := range []string{"/dingtalk/robot", "/dingtalk/card/:token", "/dingtalk/event"} {
		s.onTooLarge(route, h.tooLarge)
	}
}

type dingTalkHandler struct {
	s        *Server
	a        *dingtalk.Adapter
	rejected *prometheus.CounterVec
}

func (h *dingTalkHandler) body(c *gin.Context) ([]byte, bool) {
	b, err := io.ReadAll(io.LimitReader(c.Request.Body, maxDingTalkBody+1))
	if err != nil || len(b) > maxDingTalkBody {
		h.tooLarge(c)
		return nil, false
	}
	return b, true
}

// tooLarge refuses a body over a size limit, counted under route "body".
func (h *dingTalkHandler) tooLarge(c *gin.Context) {
	h.reject(c, "body", http.StatusRequestEntityTooLarge, errors.New("body unreadable or too large"))
}

func (h *dingTalkHandler) robot(c *gin.Context) {
	body, ok := h.body(c)
	if !ok {
		return
	}
	err := h.a.Robot(c.Request.Context(), c.GetHeader("timestamp"), c.GetHeader("sign"), body)
	h.respond(c, "robot", gin.H{}, err,
		errStatus{dingtalk.ErrRobotSignMissing, http.StatusUnauthorized},
		errStatus{dingtalk.ErrRobotSign, http.StatusUnauthorized},
		errStatus{dingtalk.ErrRobotTimestamp, http.StatusUnauthorized},
		errStatus{dingtalk.ErrRobotMessage, http.StatusBadRequest})
}

// errStatus is the HTTP status a callback answers when its error is err.
type errStatus struct {
	err    error
	status int
}

// respond answers a callback: ans on success, the status of the first of
// statuses whose error err is as a rejection, anything else as a failure.
func (h *dingTalkHandler) respond(c *gin.Context, route string, ans any, err error, statuses ...errStatus) {
	if err == nil {
		c.JSON(http.StatusOK, ans)
		return
	}
	for _, es := range statuses {
		if errors.Is(err, es.err) {
			h.reject(c, route, es.status, err)
			return
		}
	}
	h.fail(c, route, err)
}

func (h *dingTalkHandler) card(c *gin.Context) {
	body, ok := h.body(c)
	if !ok {
		return
	}
	ans, err := h.a.Card(c.Request.Context(), c.Param("token"), body)
	h.respond(c, "card", ans, err,
		errStatus{dingtalk.ErrCardToken, http.StatusNotFound},
		errStatus{dingtalk.ErrCardCallback, http.StatusBadRequest})
}

func (h *dingTalkHandler) event(c *gin.Context) {
	body, ok := h.body(c)
	if !ok {
		return
	}
	q := dingtalk.EventQuery{
		Signature: firstQuery(c, "msg_signature", "signature"),
		Timestamp: firstQuery(c, "timeStamp", "timestamp"),
		Nonce:     c.Query("nonce"),
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), dingTalkEventBudget)
	defer cancel()
	env, err := h.a.Event(ctx, q, body)
	switch {
	case err == nil:
		c.JSON(http.StatusOK, env)
	case errors.Is(err, dingtalk.ErrEventsDisabled):
		h.reject(c, "event", http.StatusNotFound, err)
	case errors.Is(err, dingtalk.ErrSignature), errors.Is(err, dingtalk.ErrOwnerKey):
		h.reject(c, "event", http.StatusUnauthorized, err)
	case errors.Is(err, dingtalk.ErrCiphertext), errors.Is(err, dingtalk.ErrEvent):
		h.reject(c, "event", http.StatusBadRequest, err)
	default:
		h.fail(c, "event", err)
	}
}

func (h *dingTalkHandler) reject(c *gin.Context, route string, status int, err error) {
	h.rejected.WithLabelValues(route, http.StatusText(status)).Inc()
	h.s.deps.Log.Warn("dingtalk callback rejected", "request_id", c.GetString("request_id"), "route", route, "status", status, "err", err)
	c.AbortWithStatus(status)
}

func (h *dingTalkHandler) fail(c *gin.Context, route string, err error) {
	h.s.deps.Log.Error("dingtalk callback failed", "request_id", c.GetString("request_id"), "route", route, "err", err)
	c.AbortWithStatus(http.StatusInternalServerError)
}

func firstQuery(c *gin.Context, names ...string) string {
	for _, n := range names {
		if v := c.Query(n); v != "" {
			return v
		}
	}
	return ""
}
