package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestLoginListsEveryDemoUser: the demo's sign-in page names every active
// user of the README's world (12 reps, 2 managers, the admin) — rep10–rep12
// were cut off by a cap of 12 that counted the managers too.
func TestLoginListsEveryDemoUser(t *testing.T) {
	e := newSizedWorld(t, "sqlite", 12, 60, 0, nil)
	users, err := e.store.Users.Users(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	code, page := get(t, e.client(t), e.srv.URL+"/auth/login")
	if code != http.StatusOK {
		t.Fatalf("login page: %d", code)
	}
	n := 0
	for _, u := range users {
		if !u.Active {
			continue
		}
		n++
		if !strings.Contains(page, `href="/auth/demo?user=`+u.UserID+`"`) {
			t.Errorf("%s (%s) is not on the sign-in page", u.UserID, u.Role)
		}
	}
	if n < 15 || !strings.Contains(page, "代表（12位）") {
		t.Fatalf("%d active users; page: %s", n, page)
	}
}
