package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"visitbot/models"
)

// Chinese refusals.
const (
	msgForbidden     = "您没有权限查看这个页面。"
	msgOtherTeam     = "您只能查看自己团队的数据。"
	msgManagersOnly  = "看板仅对地区经理和管理员开放。"
	msgUnknownLeader = "没有这位经理。"
)

// scope is the set of reps a dashboard covers.
type scope struct {
	// Label names the team ("王经理的团队", "全部团队").
	Label string
	// Manager is the team's manager (nil: every rep, admins only).
	Manager *models.User
	Reps    []models.User
}

func (s scope) repIDs() []uint {
	out := make([]uint, len(s.Reps))
	for i, r := range s.Reps {
		out[i] = r.ID
	}
	return out
}

// errForbidden carries the Chinese reason of a 403.
type errForbidden struct{ msg string }

func (e errForbidden) Error() string { return e.msg }

// dashboardScope decides whose numbers the viewer may see: a manager only
// their own team (asking for another manager is 403), an admin everyone or
// the team of ?manager=, a rep nothing.
func (p *Pages) dashboardScope(ctx context.Context, u *models.User, managerParam string) (scope, error) {
	switch u.Role {
	case models.RoleManager:
		if managerParam != "" && managerParam != u.UserID {
			return scope{}, errForbidden{msgOtherTeam}
		}
		reps, err := p.o.Store.Users.TeamOf(ctx, u.ID)
		return scope{Label: u.Name + "的团队", Manager: u, Reps: reps}, err
	case models.RoleAdmin:
		if managerParam == "" {
			all, err := p.o.Store.Users.Users(ctx, models.RoleRep)
			var reps []models.User
			for _, r := range all {
				if r.Active {
					reps = append(reps, r)
				}
			}
			return scope{Label: "全部团队", Reps: reps}, err
		}
		m, err := p.o.Store.Users.UserByUserID(ctx, managerParam)
		if errors.Is(err, models.ErrNotFound) || (err == nil && m.Role != models.RoleManager) {
			return scope{}, errForbidden{msgUnknownLeader}
		}
		if err != nil {
			return scope{}, err
		}
		reps, err := p.o.Store.Users.TeamOf(ctx, m.ID)
		return scope{Label: m.Name + "的团队", Manager: m, Reps: reps}, err
	}
	return scope{}, errForbidden{msgManagersOnly}
}

// canSeeRep: a rep themself, their manager, or an admin.
func canSeeRep(viewer, rep *models.User) bool {
	switch viewer.Role {
	case models.RoleAdmin:
		return true
	case models.RoleManager:
		return rep.ManagerID != nil && *rep.ManagerID == viewer.ID
	}
	return viewer.ID == rep.ID
}

// canSeeDoctor: a rep assigned to the doctor, a manager of such a rep, an admin.
func (p *Pages) canSeeDoctor(ctx context.Context, u *models.User, doctorID uint) (bool, error) {
	if u.Role == models.RoleAdmin {
		return true, nil
	}
	if u.Role == models.RoleManager {
		return p.o.Store.Doctors.VisibleTo(ctx, doctorID, 0, u.ID)
	}
	return p.o.Store.Doctors.VisibleTo(ctx, doctorID, u.ID, 0)
}

// refuse answers a scope error: 403 with its reason, else 500.
func (p *Pages) refuse(c *gin.Context, err error) {
	var fe errForbidden
	if errors.As(err, &fe) {
		p.fail(c, http.StatusForbidden, fe.msg)
		return
	}
	p.internal(c, err)
}
