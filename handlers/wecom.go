package handlers

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"visitbot/bot/wecom"
)

// weComMetrics counts callbacks: rejected ones by reason (bad_signature,
// stale_timestamp, wrong_corp, bad_ciphertext, bad_envelope, bad_message,
// too_large) and accepted ones by event kind and whether they were retries.
type weComMetrics struct {
	rejected *prometheus.CounterVec
	accepted *prometheus.CounterVec
}

func newWeComMetrics(reg prometheus.Registerer) *weComMetrics {
	m := &weComMetrics{
		rejected: counterVec("visitbot_wecom_callbacks_rejected_total", "WeCom callbacks refused before touching data, by reason.", "reason"),
		accepted: counterVec("visitbot_wecom_callbacks_accepted_total", "Verified WeCom callbacks by event kind; duplicate=true for retried deliveries.", "kind", "duplicate"),
	}
	reg.MustRegister(m.rejected, m.accepted)
	return m
}

// mountWeCom serves /wecom/callback when WeCom is enabled: GET is WeCom's
// URL verification, POST carries messages and events.
func (s *Server) mountWeCom(r *gin.Engine) {
	if s.deps.WeCom == nil {
		return
	}
	h := &weComHandler{s: s, cb: s.deps.WeCom, m: newWeComMetrics(s.deps.Registry)}
	r.GET("/wecom/callback", h.verify)
	r.POST("/wecom/callback", h.receive)
	s.onTooLarge("/wecom/callback", h.tooLarge)
}

type weComHandler struct {
	s  *Server
	cb *wecom.Callback
	m  *weComMetrics
}

func weComQuery(c *gin.Context) wecom.Query {
	return wecom.Query{
		Signature: c.Query("msg_signature"), Timestamp: c.Query("timestamp"), Nonce: c.Query("nonce"),
		// echostr is base64: a "+" that arrived unescaped was decoded as a space.
		EchoStr: strings.ReplaceAll(c.Query("echostr"), " ", "+"),
	}
}

func (h *weComHandler) verify(c *gin.Context) {
	plain, err := h.cb.VerifyURL(weComQuery(c))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Data(http.StatusOK, "text/plain; charset=utf-8", plain)
}

func (h *weComHandler) receive(c *gin.Context) {
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, h.cb.MaxBody()+1))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.tooLarge(c)
			return
		}
		h.fail(c, &wecom.RejectError{Reason: "bad_envelope", Status: http.StatusBadRequest, Err: err})
		return
	}
	out, err := h.cb.Receive(c.Request.Context(), weComQuery(c), body)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.m.accepted.WithLabelValues(string(out.Kind), boolLabel(out.Duplicate)).Inc()
	if out.Body == nil {
		c.Status(http.StatusOK)
		return
	}
	c.Data(http.StatusOK, "application/xml; charset=utf-8", out.Body)
}

// tooLarge refuses a body over a size limit, counted as too_large.
func (h *weComHandler) tooLarge(c *gin.Context) {
	h.fail(c, &wecom.RejectError{Reason: "too_large", Status: http.StatusRequestEntityTooLarge, Err: wecom.ErrTooLarge})
}

// fail answers a refused callback non-200 (WeCom shows nothing and, for a
// real delivery, retries) and counts it; internal errors answer 500.
func (h *weComHandler) fail(c *gin.Context, err error) {
	var re *wecom.RejectError
	if errors.As(err, &re) {
		h.m.rejected.WithLabelValues(re.Reason).Inc()
		h.s.deps.Log.Warn("wecom callback rejected", "request_id", c.GetString("request_id"), "reason", re.Reason, "err", re.Err)
		c.String(re.Status, re.Reason)
		return
	}
	h.s.deps.Log.Error("wecom callback failed", "request_id", c.GetString("request_id"), "err", err)
	c.String(http.StatusInternalServerError, "internal error")
}

func boolLabel(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
