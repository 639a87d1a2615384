package web

import (
	"net/url"
	"strings"
	"testing"
)

// nextOrigin is the origin a browser resolves the sign-in redirect against.
const nextOrigin = "https://visitbot.test/auth/wecom/callback"

func TestSafeNext(t *testing.T) {
	keep := []string{"/dashboard", "/dashboard?week=2026-W49", "/m/feedback/12", "/m/route#top", "/a/b%2F%2Fc"}
	for _, n := range keep {
		if got := safeNext(n); got != n {
			t.Errorf("safeNext(%q) = %q, want it kept", n, got)
		}
	}
	drop := []string{"", "dashboard", "//evil.test/x", "/\\evil.test/x", "\\\\evil.test", "/\t/evil.test/x", "\t//evil.test",
		"/%09/evil.test", "/\n/evil.test", "/\r\nSet-Cookie: x=1", "/a\x00b", "/a\x7fb", "/a b", "/é", "https://evil.test/",
		"/" + strings.Repeat("a", maxNextLen)}
	for _, n := range drop {
		// "/%09/…" stays encoded in the Location header (a path), so it is
		// safe; the decoded TAB form is what c.Query hands over.
		if n == "/%09/evil.test" {
			if got := safeNext(n); got != n {
				t.Errorf("safeNext(%q) = %q: a percent-encoded TAB is a plain path", n, got)
			}
			continue
		}
		if got := safeNext(n); got != "" {
			t.Errorf("safeNext(%q) = %q, want dropped", n, got)
		}
	}
}

// browserResolve resolves a Location value the way a browser does: TAB, CR
// and LF removed anywhere, "\" read as "/", then relative to the page.
func browserResolve(t *testing.T, loc string) *url.URL {
	t.Helper()
	loc = strings.NewReplacer("\t", "", "\r", "", "\n", "", "\\", "/").Replace(loc)
	base, _ := url.Parse(nextOrigin)
	ref, err := url.Parse(loc)
	if err != nil {
		t.Fatalf("safeNext passed %q, which does not parse: %v", loc, err)
	}
	return base.ResolveReference(ref)
}

// FuzzSafeNext asserts that whatever safeNext lets through stays on the
// origin however a browser reads it, and carries no byte a header cannot.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/dashboard", "/m/route?x=1", "//evil.test", "/\t/evil.test", "/\\evil.test", "/%2F%2Fevil.test",
		"https://evil.test", "/a@evil.test", "/.//evil.test", "/../evil.test", "/;//evil.test", "/?//evil.test", "/#//evil.test"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := safeNext(in)
		if out == "" {
			return
		}
		if out != in {
			t.Fatalf("safeNext(%q) rewrote to %q", in, out)
		}
		for i := 0; i < len(out); i++ {
			if out[i] < 0x21 || out[i] > 0x7e {
				t.Fatalf("safeNext(%q) kept byte %#x", in, out[i])
			}
		}
		u := browserResolve(t, out)
		if u.Scheme != "https" || u.Host != "visitbot.test" || u.User != nil {
			t.Fatalf("safeNext(%q) leaves the origin: %s", in, u)
		}
	})
}
