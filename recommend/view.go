package recommend

import (
	"context"

	"visitbot/models"
)

// View is a stored recommendation with what a person needs to read it.
type View struct {
	Rank       int                `json:"rank"`
	Kind       string             `json:"kind"`
	DoctorID   uint               `json:"doctor_id"`
	Doctor     string             `json:"doctor"`
	Title      string             `json:"title"`
	Department string             `json:"department"`
	Hospital   string             `json:"hospital"`
	Period     string             `json:"period"`
	Score      float64            `json:"score"`
	Heat       float64            `json:"heat"`
	DistanceM  float64            `json:"distance_m"`
	Reasons    []string           `json:"reasons"`
	Breakdown  map[string]float64 `json:"breakdown"`
}

// titleNames are the Chinese titles (职称) for display.
var titleNames = map[string]string{
	models.TitleChief: "主任医师", models.TitleAssociate: "副主任医师",
	models.TitleAttending: "主治医师", models.TitleResident: "住院医师",
}

// Views joins recommendations with their doctors and hospitals (two queries).
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
	hospOf := map[uint]string{}
	for _, h := range hs {
		hospOf[h.ID] = h.Name
	}
	out := make([]View, len(recs))
	for i, r := range recs {
		d := docOf[r.DoctorID]
		out[i] = View{
			Rank: r.Rank, Kind: r.Kind, DoctorID: r.DoctorID, Doctor: d.Name, Title: titleNames[d.Title],
			Department: d.Department, Hospital: hospOf[d.HospitalID], Period: r.Period, Score: r.Score, Heat: r.Heat,
			DistanceM: r.DistanceM, Reasons: Reasons(r), Breakdown: Breakdown(r),
		}
	}
	return out, nil
}
