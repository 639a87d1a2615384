package web

import (
	"slices"

	"visitbot/models"
)

// demoGroup is one role's demo accounts on the sign-in page.
type demoGroup struct {
	Role  models.Role
	Users []models.User
}

// demoGroups lists every active user, managers first, then reps, then
// admins (each by user id, as the store returns them): the demo's sign-in
// page names every account the console does, none left out.
func demoGroups(users []models.User) []demoGroup {
	groups := []demoGroup{{Role: models.RoleManager}, {Role: models.RoleRep}, {Role: models.RoleAdmin}}
	for _, u := range users {
		if !u.Active {
			continue
		}
		for i := range groups {
			if groups[i].Role == u.Role {
				groups[i].Users = append(groups[i].Users, u)
			}
		}
	}
	return slices.DeleteFunc(groups, func(g demoGroup) bool { return len(g.Users) == 0 })
}
