package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// UserByUserID finds a user by visitbot id ("rep01").
func (s *UserStore) UserByUserID(ctx context.Context, userID string) (*User, error) {
	return first[User](ctx, s.db, "user_id = ?", userID)
}

// UserByID finds a user by primary key.
func (s *UserStore) UserByID(ctx context.Context, id uint) (*User, error) {
	return first[User](ctx, s.db, "id = ?", id)
}

// UserByPlatformID finds the active user a platform addresses as platformUserID.
// Console users are addressed by their visitbot id.
func (s *UserStore) UserByPlatformID(ctx context.Context, platform, platformUserID string) (*User, error) {
	switch platform {
	case "wecom":
		return first[User](ctx, s.db, "wecom_user_id = ? AND active = ?", platformUserID, true)
	case "dingtalk":
		return first[User](ctx, s.db, "dingtalk_user_id = ? AND active = ?", platformUserID, true)
	case "console":
		return first[User](ctx, s.db, "user_id = ? AND active = ?", platformUserID, true)
	}
	return nil, fmt.Errorf("unknown platform %q", platform)
}

// Users lists users, optionally only those with the given role, by user id.
func (s *UserStore) Users(ctx context.Context, role Role) ([]User, error) {
	var out []User
	q := s.db.WithContext(ctx).Order("user_id")
	if role != "" {
		q = q.Where("role = ?", role)
	}
	return out, q.Find(&out).Error
}

// RepsOfShard lists the reps of shard k of n of the morning push — rep id
// modulo n, as recommend.RepShard decides — by user id: a shard reads its
// own 500 reps, not the whole field force (n ≤ 1: every rep).
func (s *UserStore) RepsOfShard(ctx context.Context, k, n int) ([]User, error) {
	var out []User
	q := s.db.WithContext(ctx).Where("role = ?", RoleRep).Order("user_id")
	if n > 1 {
		q = q.Where("id % ? = ?", n, k)
	}
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("reps of shard %d of %d: %w", k, n, err)
	}
	return out, nil
}

// UsersByUserIDs lists the users of role with the given user ids, by user
// id (unknown ids are left out), 500 ids a statement; nil userIDs lists
// every user of role (Users), an empty list none.
func (s *UserStore) UsersByUserIDs(ctx context.Context, role Role, userIDs []string) ([]User, error) {
	if userIDs == nil {
		return s.Users(ctx, role)
	}
	var out []User
	for part := range slices.Chunk(userIDs, inChunk) {
		var rows []User
		if err := s.db.WithContext(ctx).Where("role = ? AND user_id IN ?", role, part).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("users by id: %w", err)
		}
		out = append(out, rows...)
	}
	slices.SortFunc(out, func(a, b User) int { return strings.Compare(a.UserID, b.UserID) })
	return out, nil
}

// TeamOf lists the active reps whose manager is managerID.
func (s *UserStore) TeamOf(ctx context.Context, managerID uint) ([]User, error) {
	var out []User
	err := s.db.WithContext(ctx).Where("manager_id = ? AND role = ? AND active = ?", managerID, RoleRep, true).
		Order("user_id").Find(&out).Error
	return out, err
}

// CreateUser inserts a user; a duplicate user id or platform id is ErrConflict.
func (s *UserStore) CreateUser(ctx context.Context, u *User) error {
	if err := s.db.create(ctx, u); err != nil {
		return fmt.Errorf("create user %s: %w", u.UserID, err)
	}
	return nil
}

// CountUsers counts all users (the demo seeds an empty database).
func (s *UserStore) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	return n, s.db.WithContext(ctx).Model(&User{}).Count(&n).Error
}
