package seed

import "math/rand/v2"

// surnames are common surnames in Zhejiang, most frequent first; the
// generator draws earlier ones more often.
var surnames = []rune("王陈张李徐吴周杨刘黄朱胡沈金方钱孙俞蒋何叶郑潘许姚楼应汪马林高余丁冯邵章郭韩赵程吕施顾陆戴江严姜袁范邱夏毛卢")

// givenChars are characters common in given names.
var givenChars = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力宁欣怡晨浩宇轩睿婷雪琳佳慧博文晓斌鹏飞凯亮俊峰嘉颖倩蕾思源哲晗瑶雯逸航")

// chineseName draws a plausible two- or three-character Chinese name.
func chineseName(r *rand.Rand) string {
	// A squared uniform favours the frequent surnames at the front.
	u := r.Float64()
	s := surnames[int(u*u*float64(len(surnames)))]
	name := []rune{s, givenChars[r.IntN(len(givenChars))]}
	if r.Float64() < 0.7 {
		name = append(name, givenChars[r.IntN(len(givenChars))])
	}
	return string(name)
}
