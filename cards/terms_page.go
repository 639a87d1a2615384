package cards

import (
	"html"
	"regexp"
	"strings"
	"unicode"
)

var (
	pageBlocks  = regexp.MustCompile(`(?is)<(script|style)\b[^>]*>.*?</(?:script|style)>`)
	pageActions = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	pageComment = regexp.MustCompile(`(?s)<!--.*?-->`)
	pageTag     = regexp.MustCompile(`(?s)<[^>]*>`)
	// pageAttr is an attribute a person reads: a placeholder, a tooltip, a
	// screen reader's label, an image's text.
	pageAttr = regexp.MustCompile(`(?i)\b(?:placeholder|title|aria-label|alt)="([^"]*)"`)
	// jsString is a quoted JavaScript literal ('…' or "…", no template literals).
	jsString = regexp.MustCompile(`'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"`)
)

// PageTexts lists what a person reads on an HTML page or template: the text
// between tags and the readable attributes, never markup, template actions
// ({{…}}), scripts or styles — for checks such as ForeignTerms.
func PageTexts(page string) []string {
	page = pageComment.ReplaceAllString(pageActions.ReplaceAllString(page, "\n"), "\n")
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(html.UnescapeString(s)); s != "" {
			out = append(out, s)
		}
	}
	body := pageBlocks.ReplaceAllString(page, "\n")
	for _, m := range pageAttr.FindAllStringSubmatch(body, -1) {
		add(m[1])
	}
	for _, s := range strings.Split(pageTag.ReplaceAllString(body, "\n"), "\n") {
		add(s)
	}
	return out
}

// ScriptTexts lists the string literals of a script that hold Chinese text
// (the messages a page's script shows), without their quotes.
func ScriptTexts(js string) []string {
	var out []string
	for _, lit := range jsString.FindAllString(js, -1) {
		s := lit[1 : len(lit)-1]
		if strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
			out = append(out, s)
		}
	}
	return out
}
