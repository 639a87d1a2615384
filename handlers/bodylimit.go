package handlers

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
)

// limitBody enforces server.max_body_bytes on every route, the ingest API
// (/api/v1/) included: there ingest.max_body_bytes applies too and the
// smaller limit wins. A body over the limit, announced by Content-Length or
// found while reading a chunked one, never reaches the handler: it is
// logged and answered 413 by the route's own rejection (which counts it,
// e.g. visitbot_wecom_callbacks_rejected_total{reason="too_large"}) or by a
// plain 413. A body within the limit is read here, at most n bytes in
// memory, so no route can answer before its size was checked.
func (s *Server) limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := c.Request
		// The admin import page's upload enforces its own, larger
		// import.max_upload_bytes (a Chinese 413 page) while streaming it.
		if n <= 0 || r.Body == nil || r.Body == http.NoBody || r.URL.Path == adminImportPath {
			c.Next()
			return
		}
		if r.ContentLength > n {
			s.rejectTooLarge(c, n)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(c.Writer, r.Body, n))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			s.rejectTooLarge(c, n)
			return
		case err != nil:
			s.deps.Log.Warn("request body unreadable", "request_id", c.GetString("request_id"), "path", r.URL.Path, "err", err)
			c.AbortWithStatus(http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		c.Next()
	}
}

// adminImportPath is the admin import page, whose upload is capped by
// import.max_upload_bytes instead of server.max_body_bytes.
const adminImportPath = "/admin/import"

// onTooLarge makes route answer a body over server.max_body_bytes with fn
// (it must write the response), so the route's rejection metrics see it.
func (s *Server) onTooLarge(route string, fn func(*gin.Context)) { s.tooLarge[route] = fn }

func (s *Server) rejectTooLarge(c *gin.Context, limit int64) {
	route := c.FullPath()
	s.deps.Log.Warn("request body too large", "request_id", c.GetString("request_id"), "path", c.Request.URL.Path, "route", route,
		"content_length", c.Request.ContentLength, "limit", limit)
	if fn := s.tooLarge[route]; fn != nil && route != "" {
		fn(c)
	} else {
		c.String(http.StatusRequestEntityTooLarge, "request body too large")
	}
	c.Abort()
}
