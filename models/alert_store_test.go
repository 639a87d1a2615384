package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"visitbot/models"
	"visitbot/models/modelstest"
)

func TestAlertStore(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		fail := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		h := &models.Hospital{ExternalID: "H1", Name: "浙大一院", Level: models.Level3A}
		fail(s.DB(ctx).Create(h).Error)
		d := &models.Doctor{ExternalID: "D1", Name: "张伟", HospitalID: h.ID, Department: "心内科", Title: models.TitleChief, IsKOL: true}
		fail(s.DB(ctx).Create(d).Error)
		d2 := &models.Doctor{ExternalID: "D2", Name: "王芳", HospitalID: h.ID, Department: "心内科", Title: models.TitleChief}
		fail(s.DB(ctx).Create(d2).Error)
		at := func(day string, hour int) time.Time {
			t0, _ := time.ParseInLocation("2006-01-02", day, modelstest.Shanghai)
			return t0.Add(time.Duration(hour) * time.Hour).UTC()
		}

		// Last contact: the newest of a met visit and a positive visit signal,
		// the signal's day in the business zone; no-shows and later days ignored.
		fail(s.DB(ctx).Create(&models.Visit{RepID: 1, DoctorID: d.ID, Day: "2026-11-20", HospitalID: h.ID, Status: models.VisitCompleted}).Error)
		fail(s.DB(ctx).Create(&models.Visit{RepID: 1, DoctorID: d.ID, Day: "2026-11-28", HospitalID: h.ID, Status: models.VisitSkipped}).Error)
		for i, sg := range []models.Signal{
			{DoctorID: d.ID, Class: models.ClassVisit, Kind: "visit_met", Value: 1, OccurredAt: at("2026-11-25", 23)}, // 15:00 UTC, still the 25th in Shanghai
			{DoctorID: d.ID, Class: models.ClassVisit, Kind: "visit_no_show", Value: 0, OccurredAt: at("2026-11-27", 10)},
			{DoctorID: d.ID, Class: models.ClassVisit, Kind: "visit_met", Value: 1, OccurredAt: at("2026-12-02", 10)},
			{DoctorID: d2.ID, Class: models.ClassDigital, Kind: "leaflet_view", Value: 1, OccurredAt: at("2026-11-30", 10)},
		} {
			sg.ExternalID = string(rune('a' + i))
			fail(s.DB(ctx).Create(&sg).Error)
		}
		last, err := s.Alerts.LastContacts(ctx, []uint{d.ID, d2.ID}, "2026-12-01")
		fail(err)
		if last[d.ID] != "2026-11-25" || last[d2.ID] != "" {
			t.Fatalf("last contacts = %v", last)
		}
		if _, err := s.Alerts.LastContacts(ctx, nil, "Dec 1"); err == nil {
			t.Fatal("want an error for a bad day")
		}
		dig, err := s.Alerts.SignalsOfClass(ctx, nil, models.ClassDigital, at("2026-11-24", 0), at("2026-12-01", 0))
		fail(err)
		if len(dig) != 1 || dig[0].DoctorID != d2.ID {
			t.Fatalf("digital signals = %+v", dig)
		}
		rows, err := s.Alerts.AlertDoctors(ctx, []uint{d.ID})
		fail(err)
		if len(rows) != 1 || rows[0].HospitalName != "浙大一院" || rows[0].HospitalLevel != models.Level3A || !rows[0].IsKOL {
			t.Fatalf("alert doctors = %+v", rows)
		}

		// Alerts: newest per kind and subject; bad keys refused.
		if _, err := s.Alerts.LastAlert(ctx, "silent_kol", "doctor:1"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("no alert yet: %v", err)
		}
		a1 := &models.Alert{Kind: "silent_kol", SubjectKey: "doctor:1", Title: "t", Status: models.AlertOpen}
		fail(s.Alerts.CreateAlert(ctx, a1))
		a2 := &models.Alert{Kind: "silent_kol", SubjectKey: "doctor:1", Title: "t2", Status: models.AlertOpen}
		fail(s.Alerts.CreateAlert(ctx, a2))
		if got, err := s.Alerts.LastAlert(ctx, "silent_kol", "doctor:1"); err != nil || got.ID != a2.ID {
			t.Fatalf("last alert = %+v %v", got, err)
		}
		if err := s.Alerts.CreateAlert(ctx, &models.Alert{Kind: "silent_kol", Title: "t", Status: models.AlertOpen}); err == nil {
			t.Fatal("an alert without a subject was stored")
		}
		until := at("2026-12-08", 0)
		fail(s.Alerts.SetAlertStatus(ctx, []uint{a1.ID}, models.AlertSnoozed, &until, nil))
		if due, err := s.Alerts.DueSnoozedAlerts(ctx, at("2026-12-07", 23)); err != nil || len(due) != 0 {
			t.Fatalf("due early: %v %v", due, err)
		}
		if due, err := s.Alerts.DueSnoozedAlerts(ctx, until); err != nil || len(due) != 1 || due[0].ID != a1.ID {
			t.Fatalf("due: %v %v", due, err)
		}

		// Must-visits are idempotent per RefKey.
		for i, want := range []bool{true, false} {
			created, err := s.Alerts.AddMustVisit(ctx, &models.MustVisit{RepID: 1, DoctorID: d.ID, DueDay: "2026-12-02", Source: models.RecMustVisit, RefKey: "alert:1"})
			if err != nil || created != want {
				t.Fatalf("add #%d: created=%v err=%v", i+1, created, err)
			}
		}

		// A pending outbox row can be rewritten until a dispatcher claims it.
		row := &models.OutboxMessage{DedupeKey: "console:1:alert:0900:2026-12-01", Platform: "console", RecipientID: 1, Purpose: "alert:0900", Kind: models.OutboxText, Payload: `{"to":"a","text":"1"}`}
		fail(s.Outbox.Enqueue(ctx, row))
		pending, err := s.Alerts.PendingOutbox(ctx, row.DedupeKey)
		fail(err)
		if ok, err := s.Alerts.RewritePendingOutbox(ctx, pending.ID, `{"to":"a","text":"2"}`); err != nil || !ok {
			t.Fatalf("rewrite pending: %v %v", ok, err)
		}
		if _, err := s.Outbox.ClaimOutbox(ctx, "test", []string{"console"}, 10, time.Minute); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.Alerts.RewritePendingOutbox(ctx, pending.ID, `{"to":"a","text":"3"}`); err != nil || ok {
			t.Fatalf("rewrite after claim: %v %v", ok, err)
		}
		if _, err := s.Alerts.PendingOutbox(ctx, row.DedupeKey); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("claimed row still pending: %v", err)
		}
		got, err := s.Outbox.OutboxMessageByID(ctx, pending.ID)
		fail(err)
		if got.Payload != `{"to":"a","text":"2"}` {
			t.Fatalf("payload = %s", got.Payload)
		}
	})
}
