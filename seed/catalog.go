package seed

// Departments (科室) of the demo world, in a fixed order (flow data and
// assignments are generated in this order).
var departments = []string{"心内科", "内分泌科", "肿瘤科", "呼吸科", "神经内科", "消化内科", "肾内科", "老年医学科", "全科医学科"}

// departmentWeights are the shares of doctors per department for each
// hospital profile, aligned with departments.
var departmentWeights = map[int][]float64{
	profileGeneral:   {18, 14, 14, 14, 12, 14, 8, 6, 0},
	profileOncology:  {2, 3, 60, 15, 0, 15, 0, 5, 0},
	profileCommunity: {0, 0, 0, 0, 0, 0, 0, 12, 88},
}

// product is one of the company's products with its therapeutic area and
// how well it fits each department (0 = not relevant).
type product struct {
	Code, Name, Area string
	// Fit maps department → base match 0..1.
	Fit map[string]float64
	// Lecture is the product's weekly online lecture series (线上讲座).
	Lecture string
	// Meetings are academic meeting titles (学术会议) of the area.
	Meetings []string
	// Materials are digital materials reps share (资料).
	Materials []string
	// Competitor is the main competing product (竞品).
	Competitor string
}

var products = []product{
	{Code: "P001", Name: "欣脉宁（瑞舒伐他汀钙片）", Area: "心血管",
		Fit:        map[string]float64{"心内科": 0.95, "神经内科": 0.55, "内分泌科": 0.4, "肾内科": 0.35, "老年医学科": 0.7, "全科医学科": 0.65},
		Lecture:    "心血管云课堂",
		Meetings:   []string{"浙江省心血管病学术年会", "西湖心脏病学高峰论坛", "杭州市血脂管理规范化诊疗研讨会", "基层高血压与血脂管理培训班"},
		Materials:  []string{"欣脉宁说明书", "血脂管理指南解读", "欣脉宁循证医学资料"},
		Competitor: "阿托伐他汀（竞品A）"},
	{Code: "P002", Name: "糖平泰（达格列净片）", Area: "糖尿病",
		Fit:        map[string]float64{"内分泌科": 0.95, "肾内科": 0.6, "心内科": 0.5, "老年医学科": 0.6, "全科医学科": 0.6},
		Lecture:    "糖尿病管理云课堂",
		Meetings:   []string{"浙江省内分泌代谢病学术会议", "杭州糖尿病规范诊疗研讨会", "心肾代谢多学科论坛", "基层糖尿病管理培训班"},
		Materials:  []string{"糖平泰说明书", "SGLT2抑制剂心肾获益解读", "糖平泰患者教育手册"},
		Competitor: "恩格列净（竞品B）"},
	{Code: "P003", Name: "舒畅（噻托溴铵吸入粉雾剂）", Area: "呼吸",
		Fit:        map[string]float64{"呼吸科": 0.95, "老年医学科": 0.5, "全科医学科": 0.4},
		Lecture:    "呼吸慢病云课堂",
		Meetings:   []string{"浙江省呼吸病学学术年会", "慢阻肺规范化诊疗研讨会", "杭州呼吸与危重症医学论坛"},
		Materials:  []string{"舒畅说明书", "慢阻肺吸入装置使用指导", "GOLD指南要点"},
		Competitor: "布地格福（竞品C）"},
	{Code: "P004", Name: "安瑞康（奥希替尼片）", Area: "肿瘤",
		Fit:        map[string]float64{"肿瘤科": 0.95, "呼吸科": 0.55},
		Lecture:    "肺癌精准治疗云课堂",
		Meetings:   []string{"浙江省肺癌多学科诊疗论坛", "西湖肿瘤精准治疗峰会", "EGFR突变肺癌病例研讨会"},
		Materials:  []string{"安瑞康说明书", "EGFR-TKI耐药管理共识", "安瑞康真实世界研究摘要"},
		Competitor: "阿美替尼（竞品D）"},
	{Code: "P005", Name: "胃安达（雷贝拉唑钠肠溶片）", Area: "消化",
		Fit:        map[string]float64{"消化内科": 0.95, "全科医学科": 0.35, "老年医学科": 0.3},
		Lecture:    "消化病云课堂",
		Meetings:   []string{"浙江省消化病学学术年会", "幽门螺杆菌感染规范化诊治研讨会", "杭州消化内镜沙龙"},
		Materials:  []string{"胃安达说明书", "幽门螺杆菌根除方案解读", "胃安达用法用量卡"},
		Competitor: "艾司奥美拉唑（竞品E）"},
}

// primaryProduct is the index of the product that fits dept best, or -1.
func primaryProduct(dept string) int {
	best, bestFit := -1, 0.0
	for i, p := range products {
		if f := p.Fit[dept]; f > bestFit {
			best, bestFit = i, f
		}
	}
	return best
}

// Filing roles (备案信息) stored comma-separated in Doctor.Roles, with the
// Chinese text of the matching filing signal.
const (
	roleFormulary = "formulary"          // 药事管理与药物治疗学委员会委员
	roleInsurance = "insurance_advocate" // 医保目录 advocate
	roleSociety   = "society_committee"  // 学会委员
)

var roleDetail = map[string]string{
	roleFormulary: "医院药事管理与药物治疗学委员会委员",
	roleInsurance: "医保目录准入专家",
	roleSociety:   "省级专科学会委员",
}

// Clinic cancellation reasons (停诊原因).
var cancelReasons = []string{"外出参加学术会议", "休假", "手术安排", "院内会议", "外出会诊"}
