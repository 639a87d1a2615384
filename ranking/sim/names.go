package sim

import (
	"fmt"
	"math/rand/v2"
)

func code(prefix string, n int) string { return fmt.Sprintf("%s%04d", prefix, n) }

var surnames = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕")
var given = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建文辉海波宁")

func doctorName(rng *rand.Rand) string {
	name := string(surnames[rng.IntN(len(surnames))]) + string(given[rng.IntN(len(given))])
	if rng.IntN(2) == 0 {
		name += string(given[rng.IntN(len(given))])
	}
	return name
}

var cityParts = []string{"浦东", "闵行", "徐汇", "长宁", "静安", "普陀", "虹口", "杨浦", "宝山", "嘉定", "松江", "青浦", "奉贤", "金山"}

func hospitalName(h *hospital) string {
	part := cityParts[int(h.id-1)%len(cityParts)]
	n := int(h.id-1)/len(cityParts) + 1
	switch h.lvl.tier {
	case 0:
		return fmt.Sprintf("%s第%d人民医院", part, n)
	case 1:
		return fmt.Sprintf("%s中心医院%d院区", part, n)
	case 2:
		return fmt.Sprintf("%s区第%d医院", part, n)
	}
	return fmt.Sprintf("%s第%d社区卫生服务中心", part, n)
}
