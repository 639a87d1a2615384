package handlers_test

import (
	"context"
	"strings"
	"testing"

	"visitbot/bot"
	"visitbot/flows"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// TestWeComCommandsPerRole sends the chat commands through the encrypted
// WeCom callback of the wired app as a rep, a manager and an admin and reads
// the passive replies.
func TestWeComCommandsPerRole(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		e := newWeComEnv(t, s)
		mgrID, adminID := "lijingli", "wangadmin"
		mgr := &models.User{UserID: "mgr01", Name: "李经理", Role: models.RoleManager, WeComUserID: &mgrID, Active: true}
		if err := s.Users.CreateUser(ctx, mgr); err != nil {
			t.Fatal(err)
		}
		if err := s.Users.CreateUser(ctx, &models.User{UserID: "admin", Name: "王管理", Role: models.RoleAdmin, WeComUserID: &adminID, Active: true}); err != nil {
			t.Fatal(err)
		}
		if err := s.DB(ctx).Model(&models.User{}).Where("user_id = ?", "rep01").Update("manager_id", mgr.ID).Error; err != nil {
			t.Fatal(err)
		}
		msgID := int64(5000)
		say := func(from, text string) string {
			msgID++
			return e.Open(e.Post(textXML(from, text, msgID, e.Clock.Now()))).Content
		}
		for _, c := range []struct{ from, text, want string }{
			{wcUser, "我的名单", flows.MsgNoListYet},
			{wcUser, "医生 陈静", "在您负责的医生中没有找到「陈静」。"},
			{wcUser, "沉默", bot.MsgNoPermission},
			{wcUser, "权重 设置 lecture 1", bot.MsgNoPermission},
			{wcUser, "推送 全部", bot.MsgNoPermission},
			{wcUser, "我是谁", "您是 张三（rep01），角色：医药代表"},
			{mgrID, "top 张三", "张三今天还没有拜访名单。"},
			{mgrID, "统计", "代表：1人"},
			{mgrID, "silent", "团队负责的KOL都有拜访或互动"},
			{mgrID, "权重 设置 lecture 1", bot.MsgNoPermission},
			{adminID, "权重 设置 lecture 0.2", "已将「线上讲座」的权重设为 0.2"},
			// The wired app backs 推送 (a run request the scheduler takes after commit).
			{adminID, "推送 全部", "已开始为全部代表推送2026-12-01的拜访名单"},
			{adminID, "任务", "用法：任务 <任务名> [日期 2026-05-01]"},
			{adminID, "帮助", "推送 / push"},
		} {
			if got := say(c.from, c.text); !strings.Contains(got, c.want) {
				t.Errorf("%s %q: got %q, want %q", c.from, c.text, got, c.want)
			}
		}
		entries, err := s.Audit.Entries(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]bool{}
		for _, a := range entries {
			actions[a.Action+" "+a.Target] = true
		}
		if !actions["command:权重 设置 lecture 0.2"] || !actions["command:推送 全部"] || len(entries) != 2 {
			t.Fatalf("audit log = %+v", entries)
		}
	})
}
