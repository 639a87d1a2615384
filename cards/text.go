package cards

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Truncate shortens s to at most n runes, ending with "…" when cut, so a
// card field never breaks a platform limit.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return string([]rune(s)[:n])
	}
	return string([]rune(s)[:n-1]) + "…"
}

// Km formats a distance in metres as "1.2km" (or "800m" under 1 km).
func Km(m float64) string {
	if m < 1000 {
		return fmt.Sprintf("%dm", int(m+0.5))
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", m/1000), ".0") + "km"
}

// PeriodName is 上午 / 下午 for AM / PM.
func PeriodName(p string) string {
	switch p {
	case "AM":
		return "上午"
	case "PM":
		return "下午"
	}
	return ""
}

// TitleShort is the form of address for a doctor's title: 张主任, 李主治.
func TitleShort(title string) string {
	switch title {
	case "chief":
		return "主任"
	case "associate":
		return "副主任"
	case "attending":
		return "医生"
	case "resident":
		return "医生"
	}
	return "医生"
}

// Address is how a rep refers to a doctor on a card: surname + title
// (张主任); compound surnames keep two characters (欧阳主任).
func Address(name, title string) string {
	r := []rune(name)
	if len(r) == 0 {
		return TitleShort(title)
	}
	surname := string(r[:1])
	if len(r) >= 3 && compoundSurnames[string(r[:2])] {
		surname = string(r[:2])
	}
	return surname + TitleShort(title)
}

var compoundSurnames = map[string]bool{"欧阳": true, "司马": true, "上官": true, "诸葛": true, "东方": true, "皇甫": true, "慕容": true, "令狐": true, "夏侯": true, "尉迟": true}

// WeekdayName is 周一 … 周日.
func WeekdayName(wd int) string {
	names := []string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}
	return names[((wd%7)+7)%7]
}
