package cards

import (
	"strings"
	"testing"
)

func TestPageTextsAndScriptTexts(t *testing.T) {
	page := `<title>{{.Title}} · 拜访助手</title><style>.a{content:"计划中"}</style>
<h1 class="x">今日路线</h1><!-- 计划中 --><input placeholder="纬度" value="AM">{{if .X}}<p>状态：{{.S}}已计划&amp;好</p>{{end}}
<script>var s = '再发送'; var n = "AMap";</script>`
	got := strings.Join(PageTexts(page), "|")
	if got != "纬度|· 拜访助手|今日路线|状态：|已计划&好" {
		t.Fatalf("PageTexts = %q", got)
	}
	js := `el('p', 'hint', '还没有消息'); var k = "key"; setStatus("刷新失败：" + e.message);`
	if got := strings.Join(ScriptTexts(js), "|"); got != "还没有消息|刷新失败：" {
		t.Fatalf("ScriptTexts = %q", got)
	}
}
