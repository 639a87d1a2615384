package models

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"visitbot/signals"

	"gorm.io/gorm/clause"
)

// SettingsWithPrefix lists unexpired settings whose key starts with prefix.
func (s *SettingStore) SettingsWithPrefix(ctx context.Context, prefix string) ([]Setting, error) {
	var rows []Setting
	if err := s.db.WithContext(ctx).Where("`key` LIKE ? ESCAPE '!'", likePrefix(prefix)).Order("`key`").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("settings %s*: %w", prefix, err)
	}
	out := rows[:0]
	now := s.db.clock.Now()
	for _, r := range rows {
		if r.ExpiresAt == nil || now.Before(*r.ExpiresAt) {
			out = append(out, r)
		}
	}
	return out, nil
}

// WeightOverrides are the ranking weights an admin set at runtime, by signal
// class; a scoring run applies them over ranking.weights from the config. It
// lives in models so the ranking code can read it without importing flows.
// A stored value that is not a number in -10..10 for a known class is an
// error, never silently used. A negative value is a learned sign (an applied
// tune proposal: competitor contacts may go with low value); 权重 设置 itself
// only sets 0..10.
func (s *SettingStore) WeightOverrides(ctx context.Context) (map[string]float64, error) {
	rows, err := s.SettingsWithPrefix(ctx, WeightSettingPrefix)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, r := range rows {
		class := strings.TrimPrefix(r.Key, WeightSettingPrefix)
		v, err := strconv.ParseFloat(r.Value, 64)
		if err != nil || !slices.Contains(signals.Keys(), class) || !(v >= -10 && v <= 10) {
			return nil, fmt.Errorf("setting %s = %q is not a valid weight override", r.Key, r.Value)
		}
		out[class] = v
	}
	return out, nil
}

// GetSetting returns a setting's value; expired or missing → ErrNotFound.
func (s *SettingStore) GetSetting(ctx context.Context, key string) (string, error) {
	st, err := first[Setting](ctx, s.db, "`key` = ?", key)
	if err != nil {
		return "", err
	}
	if st.ExpiresAt != nil && !s.db.clock.Now().Before(*st.ExpiresAt) {
		return "", ErrNotFound
	}
	return st.Value, nil
}

// PutSetting upserts a setting; ttl 0 = no expiry.
func (s *SettingStore) PutSetting(ctx context.Context, key, value string, ttl time.Duration) error {
	st := Setting{Key: key, Value: value, UpdatedAt: s.db.clock.Now().UTC()}
	if ttl > 0 {
		exp := s.db.clock.Now().Add(ttl).UTC()
		st.ExpiresAt = &exp
	}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"value", "expires_at", "updated_at"}),
	}).Create(&st).Error
}

// DeleteSetting removes a setting (missing is fine).
func (s *SettingStore) DeleteSetting(ctx context.Context, key string) error {
	return s.db.WithContext(ctx).Where("`key` = ?", key).Delete(&Setting{}).Error
}

// WeightSettingPrefix prefixes the Setting keys of ranking weight overrides
// ("ranking.weights.lecture"), written by the admin command 权重 设置.
const WeightSettingPrefix = "ranking.weights."
