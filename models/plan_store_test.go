package models_test

import (
	"context"
	"testing"
	"time"

	"visitbot/models"
	"visitbot/models/modelstest"
)

// Plan items read every field a card shows, by position, on each driver:
// the recommendation, the doctor and hospital, and the day's visit (or none).
func TestPlanItemsReadEveryField(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		h := models.Hospital{ExternalID: "H1", Name: "市一院", Level: "三级甲等", City: "杭州", Lat: 30.25, Lng: 120.125}
		if err := s.DB(ctx).Create(&h).Error; err != nil {
			t.Fatal(err)
		}
		d1 := models.Doctor{ExternalID: "D1", Name: "王医生", HospitalID: h.ID, Department: "心内科", Title: models.TitleChief, IsKOL: true}
		d2 := models.Doctor{ExternalID: "D2", Name: "李医生", HospitalID: h.ID, Department: "内分泌科", Title: models.TitleAttending}
		for _, d := range []*models.Doctor{&d1, &d2} {
			if err := s.DB(ctx).Create(d).Error; err != nil {
				t.Fatal(err)
			}
		}
		at := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)
		recs := []models.Recommendation{
			{RepID: 7, Day: "2026-12-01", DoctorID: d2.ID, Rank: 2, Kind: "ranked", Score: 41.5, Heat: 40.25, Period: "PM", DistanceM: 1234.5,
				Reasons: `["周二下午门诊"]`, Breakdown: `{"heat":40.25}`, CreatedAt: at},
			{RepID: 7, Day: "2026-12-01", DoctorID: d1.ID, Rank: 1, Kind: "must_visit", Score: 90, Heat: 88.5, CreatedAt: at},
		}
		if err := s.DB(ctx).Create(&recs).Error; err != nil {
			t.Fatal(err)
		}
		v := models.Visit{RepID: 7, DoctorID: d1.ID, Day: "2026-12-01", HospitalID: h.ID, Status: "done", Verified: true}
		if err := s.DB(ctx).Create(&v).Error; err != nil {
			t.Fatal(err)
		}
		check := func(items []models.PlanItem) {
			t.Helper()
			if len(items) != 2 {
				t.Fatalf("%d items", len(items))
			}
			a, b := items[0], items[1]
			if a.ID != recs[1].ID || a.Rank != 1 || a.DoctorID != d1.ID || a.Kind != "must_visit" || a.Score != 90 || a.Heat != 88.5 ||
				a.Period != "" || a.DistanceM != 0 || a.Reasons != "" || a.DoctorName != "王医生" || !a.IsKOL || a.Title != models.TitleChief ||
				a.VisitStatus != "done" || !a.VisitVerified || a.HospitalID != h.ID || a.HospitalName != "市一院" ||
				a.HospitalLat != 30.25 || a.HospitalLng != 120.125 || !a.CreatedAt.Equal(at) || a.RepID != 7 || a.Day != "2026-12-01" {
				t.Errorf("first item %+v", a)
			}
			if b.Rank != 2 || b.Period != "PM" || b.DistanceM != 1234.5 || b.Reasons != `["周二下午门诊"]` || b.Breakdown != `{"heat":40.25}` ||
				b.Department != "内分泌科" || b.IsKOL || b.VisitStatus != "" || b.VisitVerified {
				t.Errorf("second item %+v", b)
			}
		}
		items, err := s.Plans.PlanItems(ctx, 7, "2026-12-01")
		if err != nil {
			t.Fatal(err)
		}
		check(items)
		byRep, err := s.Plans.PlanItemsOfDay(ctx, "2026-12-01", []uint{7, 8})
		if err != nil {
			t.Fatal(err)
		}
		check(byRep[7])
		if len(byRep) != 1 {
			t.Errorf("reps with items: %v", byRep)
		}
	})
}
