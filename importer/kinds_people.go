package importer

import (
	"context"
	"strings"

	"visitbot/models"
)

var roleLabels = newLabels(
	"代表", string(models.RoleRep), "医药代表", string(models.RoleRep), "销售代表", string(models.RoleRep),
	"经理", string(models.RoleManager), "地区经理", string(models.RoleManager), "区域经理", string(models.RoleManager),
	"管理员", string(models.RoleAdmin), "运营", string(models.RoleAdmin),
)

// userRec is a user row with the manager still named by user id.
type userRec struct {
	models.User
	manager string
	// pendingManager is set when the manager is created by the same input.
	pendingManager bool
}

var userKind = &spec[userRec]{
	kindName: "users",
	about:    "users (人员): reps, managers and admins with manager, territory, start point, WeCom/DingTalk ids",
	keyField: "user_id",
	list: []Field{
		{Name: "user_id", Header: "工号", Aliases: []string{"员工编号", "用户ID", "employee_id"}, Required: true, Help: "visitbot user id, e.g. rep01"},
		{Name: "name", Header: "姓名", Aliases: []string{"名字"}, Required: true},
		{Name: "role", Header: "角色", Aliases: []string{"岗位"}, Required: true, Help: "代表 / 经理 / 管理员 (rep / manager / admin)"},
		{Name: "manager_id", Header: "上级工号", Aliases: []string{"经理工号", "manager"}, Help: "user_id of the manager (in this file or already imported)"},
		{Name: "territory", Header: "区域", Aliases: []string{"辖区", "负责区域"}},
		{Name: "start_lat", Header: "起点纬度", Help: "GCJ-02 latitude of the usual start point"},
		{Name: "start_lng", Header: "起点经度", Help: "GCJ-02 longitude of the usual start point"},
		{Name: "wecom_user_id", Header: "企业微信账号", Aliases: []string{"企业微信ID", "企微账号", "wecom_id"}},
		{Name: "dingtalk_user_id", Header: "钉钉账号", Aliases: []string{"钉钉ID", "dingtalk_id"}},
		{Name: "phone", Header: "手机号", Aliases: []string{"电话", "mobile"}},
		{Name: "active", Header: "在职", Aliases: []string{"是否在职", "启用", "enabled"}, Help: "是 / 否, default 是"},
	},
	parseRow: func(r *rowReader) *userRec {
		u := &userRec{manager: r.id("manager_id", 64, false)}
		u.UserID = r.id("user_id", 64, true)
		u.Name = r.str("name", 64, true)
		u.Role = models.Role(r.choice("role", roleLabels, true))
		u.Territory = r.str("territory", 64, false)
		u.StartLat, u.StartLng = r.coords("start_lat", "start_lng")
		u.WeComUserID = optional(r.id("wecom_user_id", 64, false))
		u.DingTalkUserID = optional(r.id("dingtalk_user_id", 64, false))
		u.Phone = r.str("phone", 32, false)
		if u.Phone != "" && strings.Trim(u.Phone, "+-0123456789 ") != "" {
			r.fail("phone", "", "must contain only digits, spaces, + and -") // value withheld: never echo phone numbers
		}
		u.Active = r.boolean("active", true)
		if u.manager != "" && models.NaturalKey(u.manager) == models.NaturalKey(u.UserID) {
			r.fail("manager_id", u.manager, "a user cannot be their own manager")
		}
		return u
	},
	key:     func(u *userRec) string { return u.UserID },
	resolve: resolveUsers,
	write:   writeUsers,
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func resolveUsers(ctx context.Context, tx *models.Store, env *runEnv, items []*item[userRec]) error {
	inFile := map[string]models.Role{}
	wecom, ding := map[string]int{}, map[string]int{}
	for _, it := range items {
		inFile[models.NaturalKey(it.rec.UserID)] = it.rec.Role
		for _, p := range []struct {
			field string
			v     *string
			seen  map[string]int
		}{{"wecom_user_id", it.rec.WeComUserID, wecom}, {"dingtalk_user_id", it.rec.DingTalkUserID, ding}} {
			if p.v == nil {
				continue
			}
			if prev, dup := p.seen[models.NaturalKey(*p.v)]; dup {
				it.fail(env, p.field, *p.v, "already used on row %d", prev)
			} else {
				p.seen[models.NaturalKey(*p.v)] = it.row
			}
		}
	}
	managers := collect(items, func(u *userRec) string { return u.manager })
	stored, err := tx.Import.UserRoles(ctx, managers)
	if err != nil {
		return err
	}
	ids, err := tx.Import.UserIDs(ctx, managers)
	if err != nil {
		return err
	}
	for _, it := range items {
		m := models.NaturalKey(it.rec.manager)
		if m == "" {
			continue
		}
		role, ok := inFile[m]
		if !ok {
			role, ok = stored[m]
		}
		switch {
		case !ok:
			it.fail(env, "manager_id", it.rec.manager, "unknown manager (not in this file and not imported)")
		case role != models.RoleManager && role != models.RoleAdmin:
			it.fail(env, "manager_id", it.rec.manager, "is a %s, not a manager", role)
		default:
			if id, ok := ids[m]; ok {
				it.rec.ManagerID = &id
			} else {
				it.rec.pendingManager = true
			}
		}
	}
	return nil
}

// writeUsers upserts users, then points users at managers the same input
// created (they had no primary key before).
func writeUsers(ctx context.Context, tx *models.Store, _ *runEnv, recs []*userRec) (models.UpsertCounts, error) {
	var pending []*userRec
	for _, u := range recs {
		if u.pendingManager {
			zero := uint(0) // differs from any stored manager, so the row counts as changed
			u.ManagerID = &zero
			pending = append(pending, u)
		}
	}
	counts, err := tx.Import.UpsertUsers(ctx, embedded(recs, func(u *userRec) *models.User { return &u.User }))
	if err != nil || len(pending) == 0 {
		return counts, err
	}
	ids, err := tx.Import.UserIDs(ctx, collect(wrap(pending), func(u *userRec) string { return u.manager }))
	if err != nil {
		return counts, err
	}
	for _, u := range pending {
		if err := tx.Import.SetUserManager(ctx, u.ID, ids[models.NaturalKey(u.manager)]); err != nil {
			return counts, err
		}
	}
	return counts, nil
}

func wrap[R any](recs []*R) []*item[R] {
	out := make([]*item[R], len(recs))
	for i, r := range recs {
		out[i] = &item[R]{rec: r}
	}
	return out
}
