package console

import (
	"crypto/sha256"
	_ "embed" // the chat page
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
)

// pageHTML is the whole console UI: one file, vanilla JS, no CDN, no build step.
//
//go:embed page.html
var pageHTML []byte

// Page returns the console page.
func Page() []byte { return pageHTML }

var inlineBlock = regexp.MustCompile(`(?s)<(script|style)>(.*?)</(?:script|style)>`)

// pageCSP allows exactly the page's own inline script and style (by hash)
// and requests to this origin; nothing from anywhere else.
var pageCSP = buildCSP(pageHTML)

// PageCSP is the Content-Security-Policy header value for the page.
func PageCSP() string { return pageCSP }

func buildCSP(page []byte) string {
	var scripts, styles []string
	for _, m := range inlineBlock.FindAllSubmatch(page, -1) {
		sum := sha256.Sum256(m[2])
		h := fmt.Sprintf("'sha256-%s'", base64.StdEncoding.EncodeToString(sum[:]))
		if string(m[1]) == "script" {
			scripts = append(scripts, h)
		} else {
			styles = append(styles, h)
		}
	}
	if len(scripts) == 0 {
		scripts = []string{"'none'"}
	}
	if len(styles) == 0 {
		styles = []string{"'none'"}
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src " + strings.Join(scripts, " "),
		"style-src " + strings.Join(styles, " "),
		"connect-src 'self'",
		"img-src 'self' data:",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}
