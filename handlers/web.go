package handlers

import "github.com/gin-gonic/gin"

// mountWeb serves the dashboard, the mobile pages and their sign-in
// (package web) when they are configured.
func (s *Server) mountWeb(r *gin.Engine) {
	if s.deps.Web != nil {
		s.deps.Web.Mount(r)
	}
}
