package flows_test

import (
	"testing"

	"visitbot/config"
	"visitbot/flows"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// TestImportCommand: admins get the page's link under server.public_url and
// see 导入 in 帮助; reps and managers are told whom to ask.
func TestImportCommand(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newCmdWorld(t, s)
		link := config.Default().Server.PublicURL + flows.ImportPagePath
		w.check(t, []exchange{
			{"admin", "导入", []string{"数据导入页面：" + link, "试运行", "确认后一次性导入"}, nil},
			{"admin", "import", []string{link}, nil},
			{"admin", "帮助", []string{"导入"}, nil},
			{"admin", "导入 文件", []string{"用法：导入"}, nil},
			{"mgr01", "导入", []string{flows.MsgImportAdminsOnly}, []string{link}},
			{"rep01", "导入", []string{flows.MsgImportAdminsOnly}, []string{link}},
			{"rep01", "帮助", nil, []string{"导入"}},
		})
	})
}
