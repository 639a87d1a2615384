package flows

import (
	"testing"

	"visitbot/config"
)

func TestQualityScore(t *testing.T) {
	w := config.Default().Visits.QualityWeights
	cases := []struct {
		name string
		in   QualityInput
		want float64
	}{
		{"nothing", QualityInput{Parts: 5}, 0},
		{"checked in only", QualityInput{Parts: 5, Verified: true, OnPlan: true}, 25},
		{"complete form, no commitment", QualityInput{Answered: 5, Parts: 5}, 25},
		{"4 of 5 parts", QualityInput{Answered: 4, Parts: 5}, 20},
		{"everything", QualityInput{Answered: 5, Parts: 5, Commitment: true, FollowUp: true, OnPlan: true, Verified: true, KeyCustomer: true}, 100},
		{"off plan KOL with commitment", QualityInput{Answered: 4, Parts: 5, Commitment: true, Verified: true, KeyCustomer: true}, 65},
		{"answered beyond parts is capped", QualityInput{Answered: 9, Parts: 5}, 25},
	}
	for _, c := range cases {
		if got := QualityScore(c.in, w); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
