package cards

import (
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func sampleVisitItems() []VisitItem {
	return []VisitItem{
		{Rank: 1, DoctorID: 11, DoctorName: "张伟", Title: "chief", Hospital: "浙大一院", Heat: 86.4, Period: "AM", DistanceM: 1240, Reason: "连续2次参加线上讲座", Kind: "follow_up", Lat: 30.2591, Lng: 120.1712},
		{Rank: 2, DoctorID: 12, DoctorName: "欧阳明华", Title: "associate", Hospital: "省人民医院", Heat: 78, Period: "AM", DistanceM: 3400, Reason: "临床试验研究者", Lat: 30.2655, Lng: 120.1638},
		{Rank: 3, DoctorID: 13, DoctorName: "李娜", Title: "attending", Hospital: "西湖区人民医院", Heat: 71.2, Period: "PM", DistanceM: 800, Reason: "周二下午门诊", Kind: "must_visit", Lat: 30.2741, Lng: 120.1251},
		{Rank: 4, DoctorID: 14, DoctorName: "王芳", Title: "resident", Hospital: "翠苑社区卫生服务中心", Heat: 64.9, Period: "PM", DistanceM: 15300, Reason: "本周两次搜索我司产品说明书", Lat: 30.2890, Lng: 120.1302},
		{Rank: 5, DoctorID: 15, DoctorName: "陈静", Title: "chief", Hospital: "浙江省中医院", Heat: 60, Period: "PM", DistanceM: 2100, Reason: "", Lat: 30.2600, Lng: 120.1700},
	}
}

func TestVisitListCardGolden(t *testing.T) {
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	in := VisitListInput{TaskID: "vl-20261201-7-a1b2c3", Day: day, RepName: "张三", Items: sampleVisitItems(), StartLat: 30.2741, StartLng: 120.1551}
	card := VisitList(in)
	goldenJSON(t, "visit_list_card", card)
	w, err := RenderWeCom(card)
	if err != nil {
		t.Fatalf("visit list breaks a WeCom limit: %v", err)
	}
	goldenJSON(t, "visit_list_wecom", w)

	in.Accepted = true
	accepted := VisitList(in)
	goldenJSON(t, "visit_list_accepted_card", accepted)
	if _, err := RenderWeCom(accepted); err != nil {
		t.Fatal(err)
	}
	// The plan can still change: skip and the route stay live, accept is done.
	var texts []string
	for _, b := range accepted.Buttons {
		texts = append(texts, b.Text)
	}
	if accepted.ReplaceText != "" || strings.Join(texts, ",") != TextSkipOne+","+TextRoute || !strings.Contains(accepted.Desc, TextAccepted) {
		t.Fatalf("accepted card: replace %q, buttons %q, desc %q", accepted.ReplaceText, texts, accepted.Desc)
	}
}

func TestVisitListRows(t *testing.T) {
	items := sampleVisitItems()
	want := []string{
		"张主任 · 浙大一院 | 今日跟进·上午门诊·1.2km",
		"欧阳副主任 · 省人民… | 热度78·上午门诊·3.4km",
		"李医生 · 西湖区人民医院 | 经理指派·下午门诊·800m",
		"王医生 · 翠苑社区… | 热度65·下午门诊·15.3km",
		"陈主任 · 浙江省中医院 | 热度60·下午门诊·2.1km",
	}
	card := VisitList(VisitListInput{TaskID: "t", Items: items})
	for i := range items {
		if got := card.Fields[i].Value; got != want[i] {
			t.Errorf("row %d = %q, want %q", i+1, got, want[i])
		}
		if n := utf8.RuneCountInString(card.Fields[i].Value); n > VisitRowMax {
			t.Errorf("row %d has %d runes", i+1, n)
		}
	}
	if got := RowProse(items[1]); got != "欧阳副主任（省人民医院，热度78·上午门诊·3.4km）" || strings.Contains(got, "|") {
		t.Errorf("prose row = %q", got)
	}
}

// TestRowLabelsNeverRepeat: two 王医生 at one hospital are told apart by
// department, and by full name when the department is the same too.
func TestRowLabelsNeverRepeat(t *testing.T) {
	items := []VisitItem{
		{DoctorName: "王伟", Title: "attending", Hospital: "市一医院", Department: "心内科"},
		{DoctorName: "王芳", Title: "resident", Hospital: "市一医院", Department: "内分泌科"},
		{DoctorName: "王强", Title: "attending", Hospital: "市二医院", Department: "心内科"},
		{DoctorName: "王磊", Title: "attending", Hospital: "市二医院", Department: "心内科"},
		{DoctorName: "冯军", Title: "attending", Hospital: "市一医院"},
	}
	want := []string{"王医生 · 市一医院心内科", "王医生 · 市一医院内分泌科", "王强 · 市二医院心内科", "王磊 · 市二医院心内科", "冯医生 · 市一医院"}
	got := RowLabels(items)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("labels = %q, want %q", got, want)
	}
}

func TestVisitListStaysWithinLimitsForLongInput(t *testing.T) {
	long := strings.Repeat("很长的医院名称", 10)
	var items []VisitItem
	for i := 1; i <= 8; i++ {
		items = append(items, VisitItem{Rank: i, DoctorName: "诸葛" + strings.Repeat("亮", 10), Title: "associate", Hospital: long, Heat: 99.9, Period: "PM", DistanceM: 123456, Reason: strings.Repeat("原因", 50), Lat: 30, Lng: 120})
	}
	card := VisitList(VisitListInput{TaskID: "t", Day: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), RepName: strings.Repeat("名", 60), Items: items})
	if _, err := RenderWeCom(card); err != nil {
		t.Fatalf("long input must be truncated, not rejected: %v", err)
	}
	if n := utf8.RuneCountInString(card.Subtitle); n > 160 {
		t.Fatalf("subtitle has %d runes", n)
	}
}

func TestRouteURL(t *testing.T) {
	u := RouteURL(30.27, 120.15, sampleVisitItems()[:2])
	for _, part := range []string{"https://uri.amap.com/navigation?", "from=120.150000%2C30.270000%2C", "to=120.163800%2C30.265500%2C", "via=120.171200%2C30.259100%2C", "coordinate=gaode"} {
		if !strings.Contains(u, part) {
			t.Errorf("route url %s lacks %s", u, part)
		}
	}
	if RouteURL(0, 0, nil) != "" {
		t.Error("no stops must give no route")
	}
}

// TestRouteURLNamesEachStopOnce: three doctors at two hospitals, the first
// hospital again last, make two stops.
func TestRouteURLNamesEachStopOnce(t *testing.T) {
	items := sampleVisitItems()
	same := items[0]
	same.DoctorName = "周敏"
	u := RouteURL(30.27, 120.15, []VisitItem{items[0], same, items[1], same})
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := parsed.Query()
	if q.Get("via") != "120.171200,30.259100,浙大一院" || !strings.HasPrefix(q.Get("to"), "120.163800,30.265500") {
		t.Fatalf("via %q to %q", q.Get("via"), q.Get("to"))
	}
}

func TestSkipFormGolden(t *testing.T) {
	card := SkipForm("sk-20261201-7-ffee", sampleVisitItems())
	w, err := RenderWeCom(card)
	if err != nil {
		t.Fatal(err)
	}
	goldenJSON(t, "skip_form_wecom", w)
	done, err := RenderWeCom(SkipFormDone("sk-20261201-7-ffee", sampleVisitItems(), "12", "cancelled", "已跳过欧阳副主任"))
	if err != nil {
		t.Fatal(err)
	}
	goldenJSON(t, "skip_form_done_wecom", done)
	for i, want := range []string{"12", "cancelled"} {
		if s := done.SelectList[i]; s.SelectedID != want || !s.Disable {
			t.Errorf("frozen select %d = %+v, want %s chosen and disabled", i, s, want)
		}
	}
}

func TestAddress(t *testing.T) {
	cases := map[[2]string]string{
		{"张伟", "chief"}: "张主任", {"欧阳明华", "associate"}: "欧阳副主任", {"欧阳", "chief"}: "欧主任", {"", "resident"}: "医生",
	}
	for in, want := range cases {
		if got := Address(in[0], in[1]); got != want {
			t.Errorf("Address(%q,%q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

func TestKm(t *testing.T) {
	for m, want := range map[float64]string{0: "0m", 999.4: "999m", 1000: "1km", 1240: "1.2km", 15300: "15.3km"} {
		if got := Km(m); got != want {
			t.Errorf("Km(%v) = %q, want %q", m, got, want)
		}
	}
}

// The planned day's route is one line of the card (its description).
func TestVisitListRouteLine(t *testing.T) {
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	in := VisitListInput{TaskID: "vl-20261201-7-a1b2c3", Day: day, RepName: "张三", Items: sampleVisitItems(), RouteKM: 12.34, RouteMinutes: 35.4}
	card := VisitList(in)
	if card.Desc != "张三，今日路线约12.3公里，驾车约35分钟" {
		t.Errorf("desc %q", card.Desc)
	}
	w, err := RenderWeCom(card)
	if err != nil {
		t.Fatalf("visit list with a route breaks a WeCom limit: %v", err)
	}
	goldenJSON(t, "visit_list_route_wecom", w)
}
