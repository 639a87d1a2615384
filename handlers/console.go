package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"visitbot/bot/console"
)

// mountConsole serves /console when the console is enabled.
//
// The console is a local demo and test tool WITHOUT authentication: anyone
// who can reach it can act as any user. It is mounted only when
// console.enabled is true (Deps.Console is nil otherwise) and must stay off in
// production. Posts must be application/json, so a cross-site form or
// "simple" fetch cannot drive it from another origin (that needs a CORS
// preflight, which is never granted).
func (s *Server) mountConsole(r *gin.Engine) {
	if s.deps.Console == nil {
		return
	}
	r.GET("/console", s.consolePage)
	api := r.Group("/console/api", consoleNoStore)
	api.GET("/users", s.consoleUsers)
	api.GET("/messages", s.consoleMessages)
	api.GET("/hospitals", s.consoleHospitals)
	api.POST("/text", s.consoleText)
	api.POST("/action", s.consoleAction)
	api.POST("/location", s.consoleLocation)
}

func consoleNoStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Next()
}

func (s *Server) consolePage(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", console.PageCSP())
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	c.Data(http.StatusOK, "text/html; charset=utf-8", console.Page())
}

func (s *Server) consoleUsers(c *gin.Context) {
	g, err := s.deps.Console.Users(c.Request.Context())
	s.consoleAnswer(c, g, err)
}

// consoleMessages answers the latest lines of a user, or with before=<id>
// the page of lines older than that one (the page's 更早的消息).
func (s *Server) consoleMessages(c *gin.Context) {
	limit := console.DefaultMessages
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			consoleError(c, http.StatusBadRequest, "limit must be an integer")
			return
		}
		limit = n
	}
	var before uint64
	if v := c.Query("before"); v != "" {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n == 0 {
			consoleError(c, http.StatusBadRequest, "before must be a message id")
			return
		}
		before = n
	}
	user := c.Query("user")
	if user == "" {
		consoleError(c, http.StatusBadRequest, "query parameter user is required")
		return
	}
	list, err := s.deps.Console.MessagesBefore(c.Request.Context(), user, uint(before), limit)
	s.consoleAnswer(c, list, err)
}

func (s *Server) consoleHospitals(c *gin.Context) {
	list, err := s.deps.Console.Hospitals(c.Request.Context())
	s.consoleAnswer(c, list, err)
}

func (s *Server) consoleText(c *gin.Context) {
	var req console.TextRequest
	if decodeConsole(c, &req) {
		res, err := s.deps.Console.Text(c.Request.Context(), req)
		s.consoleAnswer(c, res, err)
	}
}

func (s *Server) consoleAction(c *gin.Context) {
	var req console.ActionRequest
	if decodeConsole(c, &req) {
		res, err := s.deps.Console.Action(c.Request.Context(), req)
		s.consoleAnswer(c, res, err)
	}
}

func (s *Server) consoleLocation(c *gin.Context) {
	var req console.LocationRequest
	if decodeConsole(c, &req) {
		res, err := s.deps.Console.Location(c.Request.Context(), req)
		s.consoleAnswer(c, res, err)
	}
}

// decodeConsole reads a strict JSON body into v, answering 415/413/400 and
// returning false when it cannot.
func decodeConsole(c *gin.Context, v any) bool {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/json" {
		consoleError(c, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
		return false
	}
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("unexpected data after the JSON object")
		}
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return true
	case errors.As(err, &tooBig):
		consoleError(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes", tooBig.Limit))
	case errors.Is(err, io.EOF):
		consoleError(c, http.StatusBadRequest, "request body is empty; a JSON object is required")
	default:
		consoleError(c, http.StatusBadRequest, "invalid JSON body: "+err.Error())
	}
	return false
}

// consoleAnswer encodes v, or maps err: bad input 400, unknown user 404, else 500
// (logged; the page sees no internals).
func (s *Server) consoleAnswer(c *gin.Context, v any, err error) {
	switch {
	case err == nil:
		c.JSON(http.StatusOK, v)
	case console.IsInputError(err):
		consoleError(c, http.StatusBadRequest, err.Error())
	case errors.Is(err, console.ErrUnknownUser):
		consoleError(c, http.StatusNotFound, "unknown user")
	default:
		s.deps.Log.Error("console request failed", "request_id", c.GetString("request_id"), "path", c.Request.URL.Path, "err", err)
		consoleError(c, http.StatusInternalServerError, "internal error (see the server log)")
	}
}

func consoleError(c *gin.Context, status int, msg string) {
	c.AbortWithStatusJSON(status, gin.H{"error": msg})
}
