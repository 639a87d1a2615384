package recommend

import (
	"context"

	"visitbot/models"
)

// View is a stored recommendation with what a person (or an evaluation
// reading `recommend -json`) needs to read it: the doctor's external code,
// the hospital with its coordinates, the route position (Rank) and, apart
// from it, the order by value (ValueRank), and the day's route totals.
type View struct {
	Rank         int                `json:"rank"`
	ValueRank    int                `json:"value_rank"`
	Kind         string             `json:"kind"`
	DoctorID     uint               `json:"doctor_id"`
	DoctorCode   string             `json:"doctor_code"`
	Doctor       string             `json:"doctor"`
	Title        string             `json:"title"`
	Department   string             `json:"department"`
	Tier         string             `json:"tier"`
	HospitalID   uint               `json:"hospital_id"`
	HospitalCode string             `json:"hospital_code"`
	Hospital     string             `json:"hospital"`
	Lat          float64            `json:"lat"`
	Lng          float64            `json:"lng"`
	Period       string             `json:"period"`
	Score        float64            `json:"score"`
	Heat         float64            `json:"heat"`
	DistanceM    float64            `json:"distance_m"`
	RouteKM      float64            `json:"route_km"`
	RouteMin     float64            `json:"route_min"`
	Reasons      []string           `json:"reasons"`
	Breakdown    map[string]float64 `json:"breakdown"`
}

// titleNames are the Chinese titles (职称) for display.
var titleNames = map[string]string{
	models.TitleChief: "主任医师", models.TitleAssociate: "副主任医师",
	models.TitleAttending: "主治医师", models.TitleResident: "住院医师",
}

// Views joins recommendations with their doctors and hospitals (two queries,
// the doctors in id lists of 500).
func (s *Service) Views(ctx context.Context, recs []models.Recommendation) ([]View, error) {
	ids := make([]uint, len(recs))
	for i, r := range recs {
		ids[i] = r.DoctorID
	}
	docs, err := s.store.Ranking.RankingDoctors(ctx, ids)
	if err != nil {
		return nil, err
	}
	hs, err := s.store.Ranking.RankingHospitals(ctx)
	if err != nil {
		return nil, err
	}
	docOf := map[uint]models.Doctor{}
	for _, d := range docs {
		docOf[d.ID] = d
	}
	hospOf := map[uint]models.Hospital{}
	for _, h := range hs {
		hospOf[h.ID] = h
	}
	out := make([]View, len(recs))
	for i, r := range recs {
		d := docOf[r.DoctorID]
		h := hospOf[d.HospitalID]
		b, err := Breakdown(r)
		if err != nil {
			return nil, err
		}
		reasons, err := Reasons(r)
		if err != nil {
			return nil, err
		}
		out[i] = View{
			Rank: r.Rank, ValueRank: int(b["value_rank"]), Kind: r.Kind, DoctorID: r.DoctorID, DoctorCode: d.ExternalID,
			Doctor: d.Name, Title: titleNames[d.Title], Department: d.Department, Tier: d.Tier,
			HospitalID: h.ID, HospitalCode: h.ExternalID, Hospital: h.Name, Lat: h.Lat, Lng: h.Lng,
			Period: r.Period, Score: r.Score, Heat: r.Heat, DistanceM: r.DistanceM,
			RouteKM: b["route_km"], RouteMin: b["route_min"], Reasons: reasons, Breakdown: b,
		}
	}
	return out, nil
}
