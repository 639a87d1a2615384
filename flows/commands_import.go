package flows

import (
	"strings"

	"visitbot/bot"
)

// MsgImportAdminsOnly answers 导入 from a rep or a manager: master data and
// signals change what everybody sees, so only admins load them.
const MsgImportAdminsOnly = "数据导入仅对管理员开放；需要导入或更正数据，请联系管理员。"

// ImportPagePath is the admin import page (web), under server.public_url.
const ImportPagePath = "/admin/import"

// importPage answers 导入 with the admin page's link: uploads are files of
// up to import.max_upload_bytes, which a chat cannot carry.
func (c *commands) importPage(req *bot.Request, _ []string) (bot.Reply, error) {
	link := strings.TrimSuffix(c.d.Config.PublicURL, "/") + ImportPagePath
	return bot.Textf("请在电脑浏览器中打开数据导入页面：%s\n"+
		"上传单个 .xlsx/.csv 文件（选择数据类型，可附映射文件）或整套导出的 .zip（含 bundle.yaml），"+
		"先试运行查看报告（问题按原因归类，列出新建、更新、未变的行数），确认后一次性导入；导入结果会发给所有管理员。", link), nil
}
