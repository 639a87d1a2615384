package models_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"visitbot/clock"
	"visitbot/models"
	"visitbot/models/modelstest"
)

func ptr[T any](v T) *T { return &v }

func TestMigrateIsIdempotent(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		for i := 0; i < 2; i++ {
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("migrate #%d: %v", i+2, err)
			}
		}
		v, err := s.SchemaVersion(ctx)
		if err != nil || v != "0013_setting_mediumtext" {
			t.Fatalf("schema version = %q, %v", v, err)
		}
	})
}

func TestUniqueViolationIsTypedConflict(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		u := &models.User{UserID: "rep01", Name: "张三", Role: models.RoleRep, WeComUserID: ptr("zhangsan"), Active: true}
		if err := s.Users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			user models.User
		}{
			{"same user id", models.User{UserID: "rep01", Name: "李四", Role: models.RoleRep}},
			{"same wecom id", models.User{UserID: "rep02", Name: "李四", Role: models.RoleRep, WeComUserID: ptr("zhangsan")}},
		}
		for _, c := range cases {
			err := s.Users.CreateUser(ctx, &c.user)
			if !errors.Is(err, models.ErrConflict) {
				t.Errorf("%s: err = %v, want ErrConflict", c.name, err)
			}
		}
		// Two users without platform ids do not collide (NULL is not a duplicate).
		for _, id := range []string{"rep03", "rep04"} {
			if err := s.Users.CreateUser(ctx, &models.User{UserID: id, Name: id, Role: models.RoleRep}); err != nil {
				t.Fatalf("create %s: %v", id, err)
			}
		}
	})
}

func TestDeliveryKeyDedupes(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		if err := s.Inbox.RecordDelivery(ctx, "wecom", "msg-1", "text"); err != nil {
			t.Fatal(err)
		}
		if err := s.Inbox.RecordDelivery(ctx, "wecom", "msg-1", "text"); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("second delivery err = %v, want ErrConflict", err)
		}
		if err := s.Inbox.RecordDelivery(ctx, "dingtalk", "msg-1", "text"); err != nil {
			t.Fatalf("same key on another platform must be distinct: %v", err)
		}
	})
}

func TestTxRollsBackEveryRow(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := s.Tx(ctx, func(ctx context.Context) error {
			if err := s.Users.CreateUser(ctx, &models.User{UserID: "mgr01", Name: "王经理", Role: models.RoleManager}); err != nil {
				return err
			}
			if err := s.Inbox.RecordDelivery(ctx, "wecom", "k", "text"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		if n, _ := s.Users.CountUsers(ctx); n != 0 {
			t.Fatalf("users after rollback = %d", n)
		}
		if err := s.Inbox.RecordDelivery(ctx, "wecom", "k", "text"); err != nil {
			t.Fatalf("delivery key survived rollback: %v", err)
		}
	})
}

func TestUserLookups(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		mgr := &models.User{UserID: "mgr01", Name: "王经理", Role: models.RoleManager, Active: true}
		if err := s.Users.CreateUser(ctx, mgr); err != nil {
			t.Fatal(err)
		}
		rep := &models.User{UserID: "rep01", Name: "张三", Role: models.RoleRep, ManagerID: &mgr.ID, Active: true,
			WeComUserID: ptr("wx-zhang"), DingTalkUserID: ptr("dt-zhang")}
		if err := s.Users.CreateUser(ctx, rep); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ platform, id string }{{"wecom", "wx-zhang"}, {"dingtalk", "dt-zhang"}, {"console", "rep01"}} {
			u, err := s.Users.UserByPlatformID(ctx, c.platform, c.id)
			if err != nil || u.ID != rep.ID {
				t.Errorf("%s %s: %v %v", c.platform, c.id, u, err)
			}
		}
		if _, err := s.Users.UserByPlatformID(ctx, "wecom", "nobody"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("unknown user err = %v", err)
		}
		team, err := s.Users.TeamOf(ctx, mgr.ID)
		if err != nil || len(team) != 1 || team[0].UserID != "rep01" {
			t.Fatalf("team = %v, %v", team, err)
		}
	})
}

func TestSettingsExpire(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		clk := s.Clock().(*clock.Fake)
		if err := s.Settings.PutSetting(ctx, "token", "a", time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := s.Settings.PutSetting(ctx, "token", "b", time.Minute); err != nil {
			t.Fatal(err)
		}
		if v, err := s.Settings.GetSetting(ctx, "token"); err != nil || v != "b" {
			t.Fatalf("got %q %v", v, err)
		}
		clk.Advance(2 * time.Minute)
		if _, err := s.Settings.GetSetting(ctx, "token"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("expired setting err = %v", err)
		}
	})
}

func TestTimesRoundTripInUTC(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		when := time.Date(2026, 12, 1, 8, 30, 15, 0, modelstest.Shanghai)
		if err := s.Audit.Record(ctx, 1, "test", "x", map[string]int{"n": 1}); err != nil {
			t.Fatal(err)
		}
		sig := models.Signal{ExternalID: "s1", DoctorID: 1, Class: models.ClassLecture, Kind: "lecture_attend", Value: 1, OccurredAt: when.UTC()}
		if err := s.DB(ctx).Create(&sig).Error; err != nil {
			t.Fatal(err)
		}
		var got models.Signal
		if err := s.DB(ctx).Where("occurred_at >= ?", when.Add(-time.Second).UTC()).Take(&got).Error; err != nil {
			t.Fatal(err)
		}
		if !got.OccurredAt.Equal(when) {
			t.Fatalf("occurred_at = %v, want %v", got.OccurredAt, when)
		}
	})
}

func TestConsentIsRecordedOnce(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		ok, err := s.Users.HasConsent(ctx, 7, "location")
		if err != nil || ok {
			t.Fatalf("fresh consent = %v %v", ok, err)
		}
		for i := 0; i < 2; i++ {
			if err := s.Users.RecordConsent(ctx, 7, "location"); err != nil {
				t.Fatal(err)
			}
		}
		if ok, _ := s.Users.HasConsent(ctx, 7, "location"); !ok {
			t.Fatal("consent not recorded")
		}
	})
}

func TestCheckSignalCompliance(t *testing.T) {
	cases := []struct {
		class, kind string
		allow       bool
		refused     bool
	}{
		{models.ClassRxTrend, "monthly_rx", false, true},
		{models.ClassDigital, "prescription_count", false, true},
		{models.ClassDigital, "处方量", false, true},
		{models.ClassLecture, "lecture_attend", false, false},
		{models.ClassRxTrend, "monthly_rx", true, false},
	}
	for _, c := range cases {
		err := models.CheckSignalCompliance(c.class, c.kind, c.allow)
		if (err != nil) != c.refused {
			t.Errorf("%s/%s allow=%v: err = %v", c.class, c.kind, c.allow, err)
		}
		if err != nil && !errors.Is(err, models.ErrDoctorLevelRx) {
			t.Errorf("error is not ErrDoctorLevelRx: %v", err)
		}
	}
}

// TestConcurrentReadThenWriteTransactions is the pattern of bot.Handle: a
// transaction that reads before it writes. On SQLite it only works when
// transactions take the write lock at BEGIN (IMMEDIATE); otherwise two of
// them deadlock and one fails at once with "database is locked".
func TestConcurrentReadThenWriteTransactions(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		errc := make(chan error, 8)
		for g := 0; g < 8; g++ {
			go func(g int) {
				var err error
				for i := 0; i < 10 && err == nil; i++ {
					err = s.Tx(ctx, func(ctx context.Context) error {
						if _, err := s.Users.CountUsers(ctx); err != nil {
							return err
						}
						id := fmt.Sprintf("u%d-%d", g, i)
						return s.Users.CreateUser(ctx, &models.User{UserID: id, Name: id, Role: models.RoleRep, Active: true})
					})
				}
				errc <- err
			}(g)
		}
		for g := 0; g < 8; g++ {
			if err := <-errc; err != nil {
				t.Fatalf("concurrent transaction failed: %v", err)
			}
		}
		if n, _ := s.Users.CountUsers(ctx); n != 80 {
			t.Fatalf("users = %d, want 80", n)
		}
	})
}

func TestPurgeDeletesOnlyOldBookkeeping(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		clk := s.Clock().(*clock.Fake)
		start := clk.Now()
		// Old rows, 40 days ago.
		clk.Set(start.AddDate(0, 0, -40))
		for i := 0; i < 3; i++ {
			if err := s.Inbox.RecordDelivery(ctx, "wecom", fmt.Sprintf("old-%d", i), "text"); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Inbox.StoreRawEvent(ctx, "wecom", "event/x", "<xml/>"); err != nil {
			t.Fatal(err)
		}
		for _, st := range []string{models.OutboxSent, models.OutboxDead, models.OutboxPending} {
			m := models.OutboxMessage{DedupeKey: "k-" + st, Platform: "wecom", RecipientID: 1, Purpose: "p", Kind: models.OutboxText,
				Payload: "{}", Status: st, NextAttemptAt: clk.Now().UTC()}
			if err := s.DB(ctx).Create(&m).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Settings.PutSetting(ctx, "token", "x", time.Hour); err != nil {
			t.Fatal(err)
		}
		// A fresh row, today.
		clk.Set(start)
		if err := s.Inbox.RecordDelivery(ctx, "wecom", "new", "text"); err != nil {
			t.Fatal(err)
		}
		cut := start.AddDate(0, 0, -14)
		r, err := s.Housekeeping.Purge(ctx, models.PurgeCutoffs{Deliveries: cut, Outbox: cut, JobRuns: cut, RawEvents: cut, Console: cut})
		if err != nil {
			t.Fatal(err)
		}
		if r.Deliveries != 3 || r.Outbox != 1 || r.RawEvents != 1 || r.Settings != 1 {
			t.Fatalf("purge = %+v", r)
		}
		if err := s.Inbox.RecordDelivery(ctx, "wecom", "new", "text"); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("a fresh delivery key was purged: %v", err)
		}
		var left []models.OutboxMessage
		s.DB(ctx).Order("id").Find(&left)
		if len(left) != 2 || left[0].Status != models.OutboxDead || left[1].Status != models.OutboxPending {
			t.Fatalf("outbox after purge = %+v", left)
		}
		if r2, err := s.Housekeeping.Purge(ctx, models.PurgeCutoffs{Deliveries: cut, Outbox: cut, JobRuns: cut, RawEvents: cut, Console: cut}); err != nil || r2 != (models.PurgeResult{}) {
			t.Fatalf("second purge = %+v %v", r2, err)
		}
	})
}
