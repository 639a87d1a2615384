package seed

import "visitbot/models"

// City is the one city of the demo world.
const City = "杭州"

// Bounding box of the generated coordinates (GCJ-02): the urban districts of
// Hangzhou. Every hospital and start point lies inside it.
const (
	minLat, maxLat = 30.15, 30.40
	minLng, maxLng = 120.05, 120.35
)

// district is one of Hangzhou's districts (区): a territory unit. Districts
// are listed in a ring (west → north → centre → south → east) so that reps
// whose territories span two districts get neighbouring ones.
type district struct {
	Name     string
	Lat, Lng float64 // centre, GCJ-02
	// Streets (街道) name the community health centres of the district.
	Streets []string
	// Hospitals are the generated district-level hospitals (区级医院).
	Hospitals []string
}

var districts = []district{
	{Name: "西湖区", Lat: 30.272, Lng: 120.118,
		Streets:   []string{"北山街道", "西溪街道", "翠苑街道", "文新街道", "古荡街道", "蒋村街道", "留下街道", "转塘街道", "三墩镇", "灵隐街道"},
		Hospitals: []string{"杭州市西湖区人民医院", "杭州市西湖区中医院", "杭州市西湖区妇幼保健院"}},
	{Name: "余杭区", Lat: 30.318, Lng: 120.075,
		Streets:   []string{"五常街道", "仓前街道", "闲林街道", "良渚街道", "中泰街道", "余杭街道", "瓶窑镇"},
		Hospitals: []string{"杭州市余杭区第一人民医院", "杭州市余杭区中医院", "杭州市余杭区第五人民医院"}},
	{Name: "拱墅区", Lat: 30.312, Lng: 120.150,
		Streets:   []string{"米市巷街道", "湖墅街道", "小河街道", "拱宸桥街道", "大关街道", "上塘街道", "祥符街道", "半山街道", "朝晖街道", "潮鸣街道", "武林街道", "石桥街道"},
		Hospitals: []string{"杭州市拱墅区人民医院", "杭州市拱墅区中医院", "杭州市拱墅区妇幼保健院"}},
	{Name: "临平区", Lat: 30.382, Lng: 120.292,
		Streets:   []string{"临平街道", "南苑街道", "东湖街道", "星桥街道", "乔司街道", "运河街道"},
		Hospitals: []string{"杭州市临平区第一人民医院", "杭州市临平区中西医结合医院", "杭州市临平区第二人民医院"}},
	{Name: "上城区", Lat: 30.262, Lng: 120.188,
		Streets:   []string{"湖滨街道", "清波街道", "小营街道", "望江街道", "南星街道", "紫阳街道", "四季青街道", "凯旋街道", "采荷街道", "闸弄口街道", "笕桥街道", "九堡街道"},
		Hospitals: []string{"杭州市上城区人民医院", "杭州市上城区中医院", "杭州市上城区妇幼保健院"}},
	{Name: "钱塘区", Lat: 30.302, Lng: 120.325,
		Streets:   []string{"白杨街道", "下沙街道", "河庄街道", "义蓬街道", "新湾街道"},
		Hospitals: []string{"杭州市钱塘区人民医院", "杭州市钱塘区中医院"}},
	{Name: "萧山区", Lat: 30.178, Lng: 120.265,
		Streets:   []string{"城厢街道", "北干街道", "蜀山街道", "新塘街道", "宁围街道", "新街街道", "闻堰街道", "衙前镇"},
		Hospitals: []string{"杭州市萧山区第二人民医院", "杭州市萧山区妇幼保健院", "杭州市萧山区第三人民医院"}},
	{Name: "滨江区", Lat: 30.206, Lng: 120.205,
		Streets:   []string{"西兴街道", "长河街道", "浦沿街道"},
		Hospitals: []string{"杭州市滨江区人民医院", "杭州市滨江区中医院"}},
}

// Department profiles decide which departments a hospital's doctors work in.
const (
	profileGeneral   = iota // a general hospital: every specialty
	profileOncology         // a cancer hospital
	profileCommunity        // a community health centre: general practice
)

// realHospital is a real Hangzhou hospital at an approximate GCJ-02 position.
type realHospital struct {
	Name     string
	District string
	Level    string
	Lat, Lng float64
	Profile  int
}

// realHospitals come first in every world, biggest first, so a small world
// still has the city's best-known tertiary hospitals.
var realHospitals = []realHospital{
	{"浙江大学医学院附属第一医院", "上城区", models.Level3A, 30.2553, 120.1793, profileGeneral},
	{"浙江大学医学院附属第二医院", "上城区", models.Level3A, 30.2547, 120.1762, profileGeneral},
	{"浙江大学医学院附属邵逸夫医院", "上城区", models.Level3A, 30.2619, 120.2046, profileGeneral},
	{"浙江省人民医院", "拱墅区", models.Level3A, 30.2862, 120.1657, profileGeneral},
	{"杭州市第一人民医院", "上城区", models.Level3A, 30.2503, 120.1655, profileGeneral},
	{"浙江省中医院", "上城区", models.Level3A, 30.2581, 120.1688, profileGeneral},
	{"浙江省肿瘤医院", "拱墅区", models.Level3A, 30.3544, 120.1826, profileOncology},
	{"浙江医院", "西湖区", models.Level3A, 30.2494, 120.1393, profileGeneral},
	{"浙江省立同德医院", "西湖区", models.Level3A, 30.2909, 120.1322, profileGeneral},
	{"杭州市中医院", "拱墅区", models.Level3A, 30.2766, 120.1585, profileGeneral},
	{"浙江省新华医院", "拱墅区", models.Level3A, 30.2936, 120.1557, profileGeneral},
	{"杭州市第三人民医院", "西湖区", models.Level3A, 30.2619, 120.1460, profileGeneral},
	{"杭州市红十字会医院", "上城区", models.Level3A, 30.2751, 120.1899, profileGeneral},
	{"浙江大学医学院附属第二医院滨江院区", "滨江区", models.Level3A, 30.2029, 120.2016, profileGeneral},
	{"浙江大学医学院附属邵逸夫医院钱塘院区", "钱塘区", models.Level3A, 30.3081, 120.3312, profileGeneral},
	{"杭州市萧山区第一人民医院", "萧山区", models.Level3, 30.1722, 120.2668, profileGeneral},
	{"杭州市萧山区中医院", "萧山区", models.Level3, 30.1633, 120.2627, profileGeneral},
	{"浙江大学医学院附属第一医院余杭院区", "余杭区", models.Level3A, 30.3012, 120.0702, profileGeneral},
}

func districtIndex(name string) int {
	for i, d := range districts {
		if d.Name == name {
			return i
		}
	}
	panic("seed: unknown district " + name)
}

func clamp(v, lo, hi float64) float64 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
