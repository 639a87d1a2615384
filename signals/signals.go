// Package signals is the registry of the signal classes behind the heat
// index (客户热度指数, shared specs/domain.md "the eight signal classes"):
// each class's key, its Chinese name, the labels a company's export may use
// for it and its default weight. Configuration, storage, import, ranking and
// the chat all read this one list, so adding a class is one entry here plus
// its scorer in package ranking.
package signals

// Class keys: the value of signals.class, the ranking.weights.<key> config
// key and the breakdown key of a recommendation.
const (
	Filing     = "filing"
	RxTrend    = "rx_trend"
	Meeting    = "meeting"
	Lecture    = "lecture"
	Competitor = "competitor"
	Trial      = "trial"
	Digital    = "digital"
	Visit      = "visit"
)

// Class is one signal class.
type Class struct {
	// Key is the class's stable key (one of the constants above).
	Key string
	// Name is what people read (权重, 医生 profiles, the import template).
	Name string
	// Labels are other names a company's export may give the class (import);
	// Name is always accepted too.
	Labels []string
	// Weight is the default of ranking.weights.<Key>.
	Weight float64
}

// all is the registry, in breakdown order.
var all = [...]Class{
	{Key: Filing, Name: "备案信息", Labels: []string{"备案"}, Weight: 0.15},
	{Key: RxTrend, Name: "处方趋势（流向）", Labels: []string{"处方", "处方趋势", "流向"}, Weight: 0.15},
	{Key: Meeting, Name: "学术会议", Labels: []string{"会议"}, Weight: 0.10},
	{Key: Lecture, Name: "线上讲座", Labels: []string{"讲座"}, Weight: 0.15},
	// Competitor contacts are neutral until the company's own history says
	// which way they go (visitbot tune proposes a signed weight).
	{Key: Competitor, Name: "竞品互动", Labels: []string{"竞品"}, Weight: 0},
	{Key: Trial, Name: "临床试验", Labels: []string{"试验"}, Weight: 0.10},
	{Key: Digital, Name: "数字互动", Labels: []string{"数字化", "线上互动"}, Weight: 0.10},
	{Key: Visit, Name: "拜访历史", Labels: []string{"拜访", "拜访记录"}, Weight: 0.15},
}

// N is the number of classes (a constant, for fixed-size arrays per class).
const N = len(all)

// All lists the classes in breakdown order (a copy).
func All() []Class {
	out := make([]Class, len(all))
	copy(out, all[:])
	for i := range out {
		out[i].Labels = append([]string(nil), out[i].Labels...)
	}
	return out
}

// Keys lists the class keys in breakdown order.
func Keys() []string {
	out := make([]string, len(all))
	for i, c := range all {
		out[i] = c.Key
	}
	return out
}

// Lookup finds a class by key.
func Lookup(key string) (Class, bool) {
	for _, c := range all {
		if c.Key == key {
			return c, true
		}
	}
	return Class{}, false
}

// Name is the Chinese name of the class key (the key itself if unknown).
func Name(key string) string {
	if c, ok := Lookup(key); ok {
		return c.Name
	}
	return key
}

// Weights are the default weights by key (ranking.weights).
func Weights() map[string]float64 {
	out := make(map[string]float64, len(all))
	for _, c := range all {
		out[c.Key] = c.Weight
	}
	return out
}
