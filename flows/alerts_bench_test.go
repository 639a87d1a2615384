package flows_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"visitbot/clock"
	"visitbot/importer"
	"visitbot/internal/apptest"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// BenchmarkSignalToAlertOutbox measures the real-time alert path end to end:
// one trial signal posted as an ingest batch (importer.FromJSON → Import),
// the app's OnSignals hook, detection, routing to the rep's manager,
// the alert row and its card queued in the outbox. Each iteration moves the
// clock past the cooldown so every signal raises a new alert and a new card.
//
//	go test ./flows -run '^$' -bench SignalToAlertOutbox -benchtime 200x
func BenchmarkSignalToAlertOutbox(b *testing.B) {
	for _, driver := range modelstest.Drivers() {
		b.Run(driver, func(b *testing.B) {
			clk := clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, modelstest.Shanghai))
			s, _ := modelstest.Open(b, driver, clk)
			ctx := context.Background()
			mgr := &models.User{UserID: "mgr01", Name: "王经理", Role: models.RoleManager, Active: true}
			if err := s.Users.CreateUser(ctx, mgr); err != nil {
				b.Fatal(err)
			}
			rep := &models.User{UserID: "rep01", Name: "张三", Role: models.RoleRep, ManagerID: &mgr.ID, Active: true}
			if err := s.Users.CreateUser(ctx, rep); err != nil {
				b.Fatal(err)
			}
			h := &models.Hospital{ExternalID: "H1", Name: "浙大一院", Level: models.Level3A}
			if err := s.DB(ctx).Create(h).Error; err != nil {
				b.Fatal(err)
			}
			d := &models.Doctor{ExternalID: "D1", Name: "张伟", HospitalID: h.ID, Department: "心内科", Title: models.TitleChief, IsKOL: true}
			if err := s.DB(ctx).Create(d).Error; err != nil {
				b.Fatal(err)
			}
			if err := s.DB(ctx).Create(&models.Assignment{RepID: rep.ID, DoctorID: d.ID}).Error; err != nil {
				b.Fatal(err)
			}
			a, log := apptest.OnStoreLogged(b, s, nil)
			cooldown := a.Config.Alerts.Cooldown
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				clk.Advance(cooldown + time.Minute)
				in, err := importer.FromJSON("signals", []map[string]any{{
					"external_id": fmt.Sprintf("T%d", i), "doctor_id": "D1", "class": "trial", "kind": "trial_investigator",
					"occurred_at": clk.Now().Format(time.RFC3339), "detail": "研究者：ABC-301",
				}})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := a.Importer.Import(ctx, "signals", in, importer.Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if errs := log.Errors(); len(errs) != 0 { // the hook only logs its errors
				b.Fatal(errs)
			}
			var alerts, queued int64
			s.DB(ctx).Model(&models.Alert{}).Count(&alerts)
			s.DB(ctx).Model(&models.OutboxMessage{}).Count(&queued)
			if alerts != int64(b.N) || queued != int64(b.N) {
				b.Fatalf("%d signals made %d alerts and %d outbox rows", b.N, alerts, queued)
			}
		})
	}
}
