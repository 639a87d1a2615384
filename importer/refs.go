package importer

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"visitbot/models"
)

// codeIDs maps external codes of a referenced kind (hospitals, doctors,
// products) to primary keys, looking each code up once per input: a
// 100,000-row signal file names its 3,000 doctors again and again.
func (e *runEnv) codeIDs(ctx context.Context, tx *models.Store, refKind string, codes []string) (map[string]uint, error) {
	cache := e.cache[refKind]
	if cache == nil {
		cache = map[string]uint{}
		e.cache[refKind] = cache
	}
	var missing []string
	for _, c := range codes {
		k := models.NaturalKey(c)
		if _, ok := cache[k]; !ok && k != "" {
			cache[k] = 0
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		var found map[string]uint
		var err error
		switch refKind {
		case "hospitals":
			found, err = tx.Import.HospitalIDs(ctx, missing)
		case "doctors":
			found, err = tx.Import.DoctorIDs(ctx, missing)
		case "products":
			found, err = tx.Import.ProductIDs(ctx, missing)
		default:
			err = fmt.Errorf("no code lookup for %s", refKind)
		}
		if err != nil {
			return nil, err
		}
		for k, id := range found {
			cache[k] = id
		}
	}
	return cache, nil
}

// resolveRef looks ref up in ids, recording why it failed on the item; an
// empty ref did not parse and is already reported.
func resolveRef[R any](it *item[R], env *runEnv, ids map[string]uint, field, ref, refKind string) uint {
	if ref == "" {
		return 0
	}
	if id := ids[models.NaturalKey(ref)]; id != 0 {
		return id
	}
	refFail(it, env, field, ref, refKind)
	return 0
}

// refFail says why ref is unknown: its row in this bundle was refused, the
// bundle's file of that kind lacks it, or that kind was never imported.
func refFail[R any](it *item[R], env *runEnv, field, ref, refKind string) {
	n := nouns[refKind]
	target := refKind
	if refKind == "manager" || refKind == "rep" {
		target = "users"
	}
	if at, ok := env.batch.refused[target][models.NaturalKey(ref)]; ok {
		it.fail(env, field, ref, keyRefusedRef, n[0], n[1], n[2], n[3], at.file, strconv.Itoa(at.row))
		return
	}
	if env.batch.bundle && env.batch.kinds[target] {
		it.fail(env, field, ref, keyUnknownRefBundle, n[0], n[1], n[2], n[3])
		return
	}
	it.fail(env, field, ref, keyUnknownRef, n[0], n[1], n[2], n[3])
}

// userCand is a user a reference may mean.
type userCand struct {
	userID string // visitbot user id: the identity of a candidate
	name   string
	role   models.Role
	id     uint   // primary key, 0 while the user is only in this input
	via    string // which id matched: user_id, employee_no, wecom_user_id, dingtalk_user_id
	row    int    // the row of an input's own user
	bad    bool   // that row has problems and will not be written
}

// userIndex finds users by any id a company may name them by.
type userIndex struct {
	by map[string][]userCand // natural key of an id → candidates
}

func newUserIndex() *userIndex { return &userIndex{by: map[string][]userCand{}} }

func (x *userIndex) add(value string, c userCand) {
	k := models.NaturalKey(value)
	if k == "" {
		return
	}
	for _, o := range x.by[k] {
		if models.NaturalKey(o.userID) == models.NaturalKey(c.userID) && o.via == c.via {
			return
		}
	}
	x.by[k] = append(x.by[k], c)
}

// addStored indexes users from the store, except those the input itself
// describes (skip): their ids in the file win.
func (x *userIndex) addStored(refs []models.UserRef, skip map[string]bool) {
	for _, u := range refs {
		if skip[models.NaturalKey(u.UserID)] {
			continue
		}
		c := userCand{userID: u.UserID, name: u.Name, role: u.Role, id: u.ID}
		for via, v := range map[string]string{"user_id": u.UserID, "employee_no": u.EmployeeNo, "wecom_user_id": u.WeComUserID, "dingtalk_user_id": u.DingTalkUserID} {
			c.via = via
			x.add(v, c)
		}
	}
}

// find returns the distinct users value names, through the id column pin
// ("any" = every id).
func (x *userIndex) find(value, pin string) []userCand {
	var out []userCand
	for _, c := range x.by[models.NaturalKey(value)] {
		if pin != "any" && c.via != pin {
			continue
		}
		i := slices.IndexFunc(out, func(o userCand) bool { return models.NaturalKey(o.userID) == models.NaturalKey(c.userID) })
		switch {
		case i < 0:
			out = append(out, c)
		case out[i].via != "user_id" && c.via == "user_id":
			out[i] = c
		}
	}
	slices.SortFunc(out, func(a, b userCand) int { return strings.Compare(a.userID, b.userID) })
	return out
}

var viaNames = map[string][2]string{
	"user_id":          {"user id", "用户ID"},
	"employee_no":      {"employee no.", "员工工号"},
	"wecom_user_id":    {"WeCom id", "企业微信账号"},
	"dingtalk_user_id": {"DingTalk id", "钉钉账号"},
}

// candidates names several matches in English and Chinese.
func candidates(cs []userCand) (string, string) {
	en, zh := make([]string, len(cs)), make([]string, len(cs))
	for i, c := range cs {
		v := viaNames[c.via]
		en[i] = fmt.Sprintf("%s %s (%s, %s)", c.userID, c.name, c.role, v[0])
		zh[i] = fmt.Sprintf("%s %s（%s，按%s匹配）", c.userID, c.name, roleNames[string(c.role)], v[1])
	}
	return strings.Join(en, "; "), strings.Join(zh, "；")
}

// pickUser resolves one user reference on it: exactly one candidate, not
// self (the referencing row's user id, "" = none), with one of the wanted
// roles, whose own row is good; otherwise the item gets the reason.
func pickUser[R any](it *item[R], env *runEnv, x *userIndex, field, ref, refKind, self string, roles ...models.Role) (userCand, bool) {
	cs := x.find(ref, env.mapping.ref(field))
	switch {
	case len(cs) == 1 && self != "" && models.NaturalKey(cs[0].userID) == models.NaturalKey(self):
		it.fail(env, field, ref, keySelfManager)
		return userCand{}, false
	case len(cs) == 0:
		refFail(it, env, field, ref, refKind)
		return userCand{}, false
	case len(cs) > 1:
		en, zh := candidates(cs)
		it.fail(env, field, ref, keyAmbiguousRef, en, zh)
		return userCand{}, false
	case !slices.Contains(roles, cs[0].role):
		want := string(roles[0])
		it.fail(env, field, ref, keyWrongRole, string(cs[0].role), want, roleNames[string(cs[0].role)], roleNames[want])
		return userCand{}, false
	case cs[0].bad:
		n := nouns[refKind]
		it.fail(env, field, ref, keyRefusedRef, n[0], n[1], n[2], n[3], env.rep.File, strconv.Itoa(cs[0].row))
		return userCand{}, false
	}
	return cs[0], true
}
