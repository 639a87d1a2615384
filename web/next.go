package web

import (
	"net/url"
	"strings"
)

// maxNextLen bounds the page to return to after sign-in; a longer value is
// dropped (the user lands on their home page) rather than echoed into a
// cookie and a Location header.
const maxNextLen = 2048

// safeNext accepts only a same-origin absolute path as the page to return to
// after sign-in (or after a dashboard form), and "" for anything else.
//
// Browsers are lenient where net/url is not: they strip TAB, CR and LF
// anywhere in a URL, treat "\" as "/" and read a leading "//" (or "/\") as
// another host. So the value must be printable ASCII without a space or a
// backslash, start with exactly one "/", and parse as a bare path with no
// scheme, host or user.
func safeNext(next string) string {
	if len(next) == 0 || len(next) > maxNextLen || next[0] != '/' || strings.HasPrefix(next, "//") {
		return ""
	}
	for i := 0; i < len(next); i++ {
		if b := next[i]; b <= ' ' || b >= 0x7f || b == '\\' {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return ""
	}
	return next
}
