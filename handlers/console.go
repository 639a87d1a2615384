package handlers

import "github.com/gin-gonic/gin"

// mountConsole serves /console when the console is enabled.
func (s *Server) mountConsole(r *gin.Engine) {
	if s.deps.Console == nil {
		return
	}
	// TODO(console helper): page + JSON API.
}
