package importer

import (
	"context"
	"strconv"
	"strings"

	"visitbot/models"
)

var roleLabels = newLabels(
	"代表", string(models.RoleRep), "医药代表", string(models.RoleRep), "销售代表", string(models.RoleRep), "专员", string(models.RoleRep),
	"学术专员", string(models.RoleRep), "医学信息沟通专员", string(models.RoleRep), "mr", string(models.RoleRep),
	"经理", string(models.RoleManager), "地区经理", string(models.RoleManager), "区域经理", string(models.RoleManager),
	"大区经理", string(models.RoleManager), "主管", string(models.RoleManager), "dsm", string(models.RoleManager),
	"管理员", string(models.RoleAdmin), "运营", string(models.RoleAdmin), "系统管理员", string(models.RoleAdmin),
)

// userRec is a user row with the manager still named by one of its ids.
type userRec struct {
	models.User
	manager string
	// managerUserID is the resolved manager's visitbot id when the manager
	// is created by the same input (no primary key before the write).
	managerUserID string
}

var userKind = &spec[userRec]{
	kindName: "users",
	about:    "users (人员): reps, managers and admins with manager, territory, start point, WeCom/DingTalk ids, employee number",
	keyField: "user_id",
	whole:    true,
	list: []Field{
		{Name: "user_id", Header: "工号", Aliases: []string{"员工编号", "用户ID", "employee_id", "userid"}, Required: true, orField: "employee_no",
			Help: "visitbot user id, e.g. rep01 (default: the employee number)"},
		{Name: "employee_no", Header: "员工工号", Aliases: []string{"员工号", "职工号", "employee_no"}, Help: "the company's employee number"},
		{Name: "name", Header: "姓名", Aliases: []string{"名字", "员工姓名"}, Required: true},
		{Name: "role", Header: "角色", Aliases: []string{"岗位", "职位"}, Required: true, Help: "代表 / 经理 / 管理员 (rep / manager / admin)", choices: roleLabels},
		{Name: "manager_id", Header: "上级工号", Aliases: []string{"经理工号", "manager", "直属上级", "上级"}, userRef: true,
			Help: "the manager's user id, employee number, WeCom or DingTalk id (in this file or already imported)"},
		{Name: "territory", Header: "区域", Aliases: []string{"辖区", "负责区域"}},
		{Name: "start_lat", Header: "起点纬度", Help: "GCJ-02 latitude of the usual start point"},
		{Name: "start_lng", Header: "起点经度", Help: "GCJ-02 longitude of the usual start point"},
		{Name: "wecom_user_id", Header: "企业微信账号", Aliases: []string{"企业微信ID", "企微账号", "wecom_id", "企业微信userid"}},
		{Name: "dingtalk_user_id", Header: "钉钉账号", Aliases: []string{"钉钉ID", "dingtalk_id", "钉钉userid"}},
		{Name: "phone", Header: "手机号", Aliases: []string{"电话", "mobile", "手机"}},
		{Name: "active", Header: "在职", Aliases: []string{"是否在职", "启用", "enabled"}, Help: "是 / 否, default 是", isBool: true},
	},
	parseRow: func(r *rowReader) *userRec {
		u := &userRec{manager: r.id("manager_id", 64, false)}
		u.EmployeeNo = optional(r.id("employee_no", 64, false))
		u.UserID = r.id("user_id", 64, false)
		if u.UserID == "" && u.EmployeeNo != nil {
			u.UserID = *u.EmployeeNo
		} else if u.UserID == "" && r.raw("user_id") == "" {
			r.fail("user_id", "", keyRequired)
		}
		u.Name = r.str("name", 64, true)
		u.Role = models.Role(r.choice("role", roleLabels, true))
		u.Territory = r.str("territory", 64, false)
		u.StartLat, u.StartLng = r.coords("start_lat", "start_lng")
		u.WeComUserID = optional(r.id("wecom_user_id", 64, false))
		u.DingTalkUserID = optional(r.id("dingtalk_user_id", 64, false))
		u.Phone = foldWidth(r.str("phone", 32, false))
		if u.Phone != "" && strings.Trim(u.Phone, "+-0123456789 ") != "" {
			r.fail("phone", "", keyPhone) // value withheld: never echo phone numbers
		}
		u.Active = r.boolean("active", true)
		return u
	},
	key:     func(u *userRec) string { return u.UserID },
	refKey:  func(u *userRec) string { return u.UserID },
	resolve: resolveUsers,
	write:   writeUsers,
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// userIDs are the ids a user row may be named by, per id column.
func userIDs(u *userRec) map[string]string {
	return map[string]string{"user_id": u.UserID, "employee_no": deref(u.EmployeeNo),
		"wecom_user_id": deref(u.WeComUserID), "dingtalk_user_id": deref(u.DingTalkUserID)}
}

// resolveUsers checks that no platform id or employee number is used twice
// (in the file, or by another stored user) and resolves each manager by any
// of a user's ids, among the file's rows and the stored users.
func resolveUsers(ctx context.Context, tx *models.Store, env *runEnv, items []*item[userRec]) error {
	x := newUserIndex()
	inFile := map[string]bool{}
	seen := map[string]map[string]int{"employee_no": {}, "wecom_user_id": {}, "dingtalk_user_id": {}}
	var values []string
	for _, it := range items {
		u := it.rec
		if u.UserID == "" {
			continue
		}
		inFile[models.NaturalKey(u.UserID)] = true
		for via, v := range userIDs(u) {
			if v == "" {
				continue
			}
			values = append(values, v)
			if prev, dup := seen[via][models.NaturalKey(v)]; dup && via != "user_id" {
				it.fail(env, via, v, keyIDInUse, strconv.Itoa(prev))
			} else if via != "user_id" {
				seen[via][models.NaturalKey(v)] = it.row
			}
		}
	}
	for _, it := range items {
		if it.rec.UserID == "" {
			continue
		}
		for via, v := range userIDs(it.rec) {
			x.add(v, userCand{userID: it.rec.UserID, name: it.rec.Name, role: it.rec.Role, via: via, row: it.row, bad: len(it.errs) > 0})
		}
		if it.rec.manager != "" {
			values = append(values, it.rec.manager)
		}
	}
	stored, err := tx.Import.UserRefs(ctx, values)
	if err != nil {
		return err
	}
	x.addStored(stored, inFile)
	storedID, owner := map[string]uint{}, map[string]map[string]string{}
	for _, s := range stored {
		storedID[models.NaturalKey(s.UserID)] = s.ID
		for via, v := range map[string]string{"employee_no": s.EmployeeNo, "wecom_user_id": s.WeComUserID, "dingtalk_user_id": s.DingTalkUserID} {
			if v != "" {
				if owner[via] == nil {
					owner[via] = map[string]string{}
				}
				owner[via][models.NaturalKey(v)] = s.UserID
			}
		}
	}
	for _, it := range items {
		u := it.rec
		checkTaken(it, env, owner, u)
		if u.manager == "" {
			continue
		}
		pin := env.mapping.ref("manager_id")
		if len(x.find(u.manager, pin)) == 0 && env.batch.usersLeft > 1 {
			// Perhaps in a later users file of the bundle: linked after it.
			env.batch.deferred = append(env.batch.deferred, deferredManager{file: env.batch.fileIndex, row: it.row,
				column: env.hdr.column("manager_id"), userID: u.UserID, ref: u.manager, pin: pin})
			continue
		}
		c, ok := pickUser(it, env, x, "manager_id", u.manager, "manager", u.UserID, models.RoleManager, models.RoleAdmin)
		switch {
		case !ok:
		case c.id != 0 || storedID[models.NaturalKey(c.userID)] != 0:
			id := max(c.id, storedID[models.NaturalKey(c.userID)])
			u.ManagerID = &id
		default:
			u.managerUserID = c.userID
		}
	}
	return nil
}

// checkTaken refuses a platform id or employee number that belongs to
// another stored user (the database would refuse the whole file). owner maps
// id column → natural key of an id → the stored user's visitbot id.
func checkTaken(it *item[userRec], env *runEnv, owner map[string]map[string]string, u *userRec) {
	for via, v := range userIDs(u) {
		if via == "user_id" || v == "" {
			continue
		}
		if o, ok := owner[via][models.NaturalKey(v)]; ok && models.NaturalKey(o) != models.NaturalKey(u.UserID) {
			it.fail(env, via, v, keyIDTaken, o)
		}
	}
}

// writeUsers upserts users, then points users at managers the same input
// created (they had no primary key before).
func writeUsers(ctx context.Context, tx *models.Store, _ *runEnv, recs []*userRec) (models.UpsertCounts, error) {
	var pending []*userRec
	var managers []string
	for _, u := range recs {
		if u.managerUserID != "" {
			zero := uint(0) // differs from any stored manager, so the row counts as changed
			u.ManagerID = &zero
			pending = append(pending, u)
			managers = append(managers, u.managerUserID)
		}
	}
	counts, err := tx.Import.UpsertUsers(ctx, embedded(recs, func(u *userRec) *models.User { return &u.User }))
	if err != nil || len(pending) == 0 {
		return counts, err
	}
	ids, err := tx.Import.UserIDs(ctx, managers)
	if err != nil {
		return counts, err
	}
	for _, u := range pending {
		if err := tx.Import.SetUserManager(ctx, u.ID, ids[models.NaturalKey(u.managerUserID)]); err != nil {
			return counts, err
		}
	}
	return counts, nil
}
