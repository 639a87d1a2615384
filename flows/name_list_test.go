package flows

import (
	"fmt"
	"strings"
	"testing"
)

// A summary naming hundreds of reps still fits one WeCom text (≤ 2,048
// bytes): the names stop at adminListBytes and the count says how many
// there are; a short list is given whole.
func TestNameListFitsOneText(t *testing.T) {
	var many []string
	for i := range 500 {
		many = append(many, fmt.Sprintf("rep%05d", i))
	}
	got := nameList(many, adminListBytes)
	if !strings.HasSuffix(got, "等500位") || len(got) > adminListBytes+len("等500位") {
		t.Errorf("500 names: %d bytes, ends %q", len(got), got[len(got)-20:])
	}
	text := fmt.Sprintf("今日推送：%d位代表没有企业微信/钉钉账号，未能收到名单：%s。请在用户数据中补充账号。", len(many), got)
	if len(text) > 2048 {
		t.Errorf("the summary is %d bytes, over WeCom's 2,048", len(text))
	}
	if got := nameList([]string{"rep01", "rep02"}, adminListBytes); got != "rep01、rep02" {
		t.Errorf("two names: %q", got)
	}
	if got := nameList([]string{"rep01", "rep02"}, 7); got != "rep01等2位" {
		t.Errorf("two names in 7 bytes: %q", got)
	}
}
