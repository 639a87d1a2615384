package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"visitbot/bot"
	"visitbot/models"
)

var funcs = template.FuncMap{
	"pct":  func(v float64) string { return fmt.Sprintf("%.0f%%", v*100) },
	"f1":   func(v float64) string { return fmt.Sprintf("%.1f", v) },
	"f0":   func(v float64) string { return fmt.Sprintf("%.0f", v) },
	"role": func(r models.Role) string { return bot.Role(r).Label() },
	"add":  func(a, b int) int { return a + b },
	"join": strings.Join,
	"has":  func(list []string, v string) bool { return slices.Contains(list, v) },
}

// parseTemplates builds one template set per page, each with the layout.
func parseTemplates() (map[string]*template.Template, error) {
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(assets, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("web template %s: %w", n, err)
		}
		out[base] = t
	}
	return out, nil
}

// render executes a page into a buffer first, so a template error is a
// clean 500 and never half a page.
func (p *Pages) render(c *gin.Context, status int, page string, data gin.H) {
	t, ok := p.tpl[page]
	if !ok {
		p.internal(c, fmt.Errorf("no template %q", page))
		return
	}
	if v, ok := c.Get(viewerKey); ok {
		data["Viewer"] = v.(*viewer).user
		data["CSRF"] = p.sign.csrf(v.(*viewer).sess)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		p.o.Log.Error("web render", "page", page, "err", err)
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// fail answers an error in Chinese: a page, or {"error": …} on /api/.
func (p *Pages) fail(c *gin.Context, status int, msg string) {
	p.failWith(c, status, msg, errorLink{})
}

func (p *Pages) internal(c *gin.Context, err error) {
	p.o.Log.Error("web request failed", "request_id", c.GetString("request_id"), "path", c.Request.URL.Path, "err", err)
	p.fail(c, http.StatusInternalServerError, "服务器出错了，请稍后重试。")
}
