package importer

import (
	"context"

	"visitbot/models"
)

// allKinds lists the importable kinds in load order: a kind only references
// kinds listed before it.
func allKinds() []kind {
	return []kind{hospitalKind, productKind, userKind, doctorKind, doctorProductKind, assignmentKind, sessionKind, flowKind, signalKind}
}

var levelLabels = newLabels(
	"三甲", models.Level3A, "三级甲等医院", models.Level3A, "3a", models.Level3A, "三级甲", models.Level3A,
	"三级乙等", models.Level3, "三乙", models.Level3, "3", models.Level3, "三级医院", models.Level3, "三级乙等医院", models.Level3,
	"二级甲等", models.Level2, "二甲", models.Level2, "二级乙等", models.Level2, "2", models.Level2, "二乙", models.Level2, "二级医院", models.Level2,
	"一级", "一级", "一级医院", "一级", "社区", models.LevelCommunity, "社区医院", models.LevelCommunity, "社区卫生服务站", models.LevelCommunity,
	"其他", "其他", "未定级", "其他",
)

var hospitalKind = &spec[models.Hospital]{
	kindName: "hospitals",
	about:    "hospitals (医院): code, name, level, city, GCJ-02 coordinates",
	keyField: "external_id",
	list: []Field{
		{Name: "external_id", Header: "医院编码", Aliases: []string{"hospital_id", "医院代码", "医院ID", "编码", "机构编码", "院区编码"}, Required: true, Help: "your stable hospital code, e.g. H001"},
		{Name: "name", Header: "医院名称", Aliases: []string{"名称", "hospital_name", "机构名称"}, Required: true},
		{Name: "level", Header: "医院等级", Aliases: []string{"等级", "医院级别"}, Required: true, Help: "三级甲等 / 三级 / 二级 / 一级 / 社区卫生服务中心 / 其他", choices: levelLabels},
		{Name: "city", Header: "城市", Aliases: []string{"所在城市"}},
		{Name: "lat", Header: "纬度", Aliases: []string{"latitude"}, Help: "GCJ-02 latitude, e.g. 31.2304"},
		{Name: "lng", Header: "经度", Aliases: []string{"longitude", "lon"}, Help: "GCJ-02 longitude, e.g. 121.4737"},
	},
	parseRow: func(r *rowReader) *models.Hospital {
		h := &models.Hospital{
			ExternalID: r.id("external_id", 64, true),
			Name:       r.str("name", 128, true),
			Level:      r.choice("level", levelLabels, true),
			City:       r.str("city", 32, false),
		}
		h.Lat, h.Lng = r.coords("lat", "lng")
		return h
	},
	key:    func(h *models.Hospital) string { return h.ExternalID },
	refKey: func(h *models.Hospital) string { return h.ExternalID },
	write: func(ctx context.Context, tx *models.Store, _ *runEnv, recs []*models.Hospital) (models.UpsertCounts, error) {
		return tx.Import.UpsertHospitals(ctx, recs)
	},
}

var productKind = &spec[models.Product]{
	kindName: "products",
	about:    "products (产品): code, name, therapeutic area",
	keyField: "code",
	list: []Field{
		{Name: "code", Header: "产品编码", Aliases: []string{"product_code", "产品代码", "编码"}, Required: true},
		{Name: "name", Header: "产品名称", Aliases: []string{"名称", "product_name"}, Required: true},
		{Name: "area", Header: "治疗领域", Aliases: []string{"therapeutic_area", "领域"}},
	},
	parseRow: func(r *rowReader) *models.Product {
		return &models.Product{Code: r.id("code", 32, true), Name: r.str("name", 64, true), Area: r.str("area", 64, false)}
	},
	key:    func(p *models.Product) string { return p.Code },
	refKey: func(p *models.Product) string { return p.Code },
	write: func(ctx context.Context, tx *models.Store, _ *runEnv, recs []*models.Product) (models.UpsertCounts, error) {
		return tx.Import.UpsertProducts(ctx, recs)
	},
}

var titleLabels = newLabels(
	"主任医师", models.TitleChief, "主任", models.TitleChief, "正高", models.TitleChief,
	"副主任医师", models.TitleAssociate, "副主任", models.TitleAssociate, "副高", models.TitleAssociate,
	"主治医师", models.TitleAttending, "主治", models.TitleAttending, "中级", models.TitleAttending,
	"住院医师", models.TitleResident, "住院", models.TitleResident, "医师", models.TitleResident, "初级", models.TitleResident,
)

var tierLabels = newLabels("s", "S", "a", "A", "b", "B", "c", "C", "s级", "S", "a级", "A", "b级", "B", "c级", "C")

var filingRoleLabels = newLabels(
	"药事会", "formulary", "药事会委员", "formulary", "药事委员会", "formulary",
	"医保", "insurance_advocate", "医保目录", "insurance_advocate", "医保目录推荐", "insurance_advocate",
)

// doctorRec is a doctor row with its hospital still named by external id.
type doctorRec struct {
	models.Doctor
	hospital string
}

var doctorKind = &spec[doctorRec]{
	kindName: "doctors",
	about:    "doctors (医生): code, name, hospital code, department, title, KOL flag, filing roles, legacy ABC tier",
	keyField: "external_id",
	list: []Field{
		{Name: "external_id", Header: "医生编码", Aliases: []string{"doctor_id", "医生代码", "医生ID", "编码", "客户编码"}, Required: true},
		{Name: "name", Header: "姓名", Aliases: []string{"医生姓名", "doctor_name", "客户姓名"}, Required: true},
		{Name: "hospital_id", Header: "医院编码", Aliases: []string{"医院代码", "hospital", "机构编码", "院区编码"}, Required: true, Help: "external_id of a hospital (imported, or in the same bundle)"},
		{Name: "department", Header: "科室", Aliases: []string{"dept", "科室名称"}, Required: true},
		{Name: "title", Header: "职称", Required: true, Help: "主任医师 / 副主任医师 / 主治医师 / 住院医师", choices: titleLabels},
		{Name: "is_kol", Header: "是否KOL", Aliases: []string{"kol"}, Help: "是 / 否", isBool: true},
		{Name: "roles", Header: "备案角色", Aliases: []string{"filing_roles"}, Help: "comma-separated, e.g. 药事会,医保目录"},
		{Name: "legacy_tier", Header: "原分级", Aliases: []string{"tier", "ABC分级", "分级", "客户分级"}, Help: "static tier from the legacy system: S / A / B / C", choices: tierLabels},
	},
	parseRow: func(r *rowReader) *doctorRec {
		d := &doctorRec{hospital: r.id("hospital_id", 64, true)}
		d.ExternalID = r.id("external_id", 64, true)
		d.Name = r.str("name", 64, true)
		d.Department = r.str("department", 64, true)
		d.Title = r.choice("title", titleLabels, true)
		d.IsKOL = r.boolean("is_kol", false)
		d.Roles = r.list("roles", filingRoleLabels, 255)
		d.LegacyTier = r.choice("legacy_tier", tierLabels, false)
		return d
	},
	key:    func(d *doctorRec) string { return d.ExternalID },
	refKey: func(d *doctorRec) string { return d.ExternalID },
	resolve: func(ctx context.Context, tx *models.Store, env *runEnv, items []*item[doctorRec]) error {
		ids, err := env.codeIDs(ctx, tx, "hospitals", collect(items, func(d *doctorRec) string { return d.hospital }))
		if err != nil {
			return err
		}
		for _, it := range items {
			it.rec.HospitalID = resolveRef(it, env, ids, "hospital_id", it.rec.hospital, "hospitals")
		}
		return nil
	},
	write: func(ctx context.Context, tx *models.Store, _ *runEnv, recs []*doctorRec) (models.UpsertCounts, error) {
		return tx.Import.UpsertDoctors(ctx, embedded(recs, func(d *doctorRec) *models.Doctor { return &d.Doctor }))
	},
}

// doctorProductRec is a match row with doctor and product still named by code.
type doctorProductRec struct {
	models.DoctorProduct
	doctor, product, productName string
}

var doctorProductKind = &spec[doctorProductRec]{
	kindName: "doctor_products",
	about:    "doctor × product match (医生产品匹配): doctor code, product code, match 0..1",
	keyField: "product_code",
	list: []Field{
		{Name: "doctor_id", Header: "医生编码", Aliases: []string{"医生代码", "doctor", "客户编码"}, Required: true},
		{Name: "product_code", Header: "产品编码", Aliases: []string{"产品代码", "product"}, Required: true},
		{Name: "product_name", Header: "产品名称", Aliases: []string{"品名"}, Help: "names a product created by -create-missing products"},
		{Name: "match", Header: "匹配度", Aliases: []string{"match_score"}, Help: "0..1, default 1"},
	},
	parseRow: func(r *rowReader) *doctorProductRec {
		x := &doctorProductRec{doctor: r.id("doctor_id", 64, true), product: r.id("product_code", 32, true), productName: r.str("product_name", 64, false)}
		x.Match = r.num("match", false, 0, 1, 1)
		return x
	},
	key: func(x *doctorProductRec) string { return x.doctor + "|" + x.product },
	resolve: func(ctx context.Context, tx *models.Store, env *runEnv, items []*item[doctorProductRec]) error {
		docs, err := env.codeIDs(ctx, tx, "doctors", collect(items, func(x *doctorProductRec) string { return x.doctor }))
		if err != nil {
			return err
		}
		prods, err := productIDsOf(ctx, tx, env, items, func(x *doctorProductRec) (string, string) { return x.product, x.productName })
		if err != nil {
			return err
		}
		for _, it := range items {
			it.rec.DoctorID = resolveRef(it, env, docs, "doctor_id", it.rec.doctor, "doctors")
			it.rec.ProductID = resolveRef(it, env, prods, "product_code", it.rec.product, "products")
		}
		return nil
	},
	write: func(ctx context.Context, tx *models.Store, _ *runEnv, recs []*doctorProductRec) (models.UpsertCounts, error) {
		return tx.Import.UpsertDoctorProducts(ctx, embedded(recs, func(x *doctorProductRec) *models.DoctorProduct { return &x.DoctorProduct }))
	},
}

// productIDsOf resolves the product codes of items; with CreateMissing
// products, unknown codes become products (named by the row's product name,
// else the code) and are listed in the report.
func productIDsOf[R any](ctx context.Context, tx *models.Store, env *runEnv, items []*item[R], ref func(*R) (string, string)) (map[string]uint, error) {
	codes := collect(items, func(x *R) string { c, _ := ref(x); return c })
	ids, err := env.codeIDs(ctx, tx, "products", codes)
	if err != nil || !env.createMissing("products") {
		return ids, err
	}
	var create []*models.Product
	seen := map[string]bool{}
	for _, it := range items {
		code, name := ref(it.rec)
		k := models.NaturalKey(code)
		if code == "" || ids[k] != 0 || seen[k] {
			continue
		}
		if _, refused := env.batch.refused["products"][k]; refused {
			continue
		}
		seen[k] = true
		if name == "" {
			name = code
		}
		create = append(create, &models.Product{Code: code, Name: name})
	}
	if len(create) == 0 {
		return ids, nil
	}
	if _, err := tx.Import.UpsertProducts(ctx, create); err != nil {
		return nil, err
	}
	for _, p := range create {
		ids[models.NaturalKey(p.Code)] = p.ID
		env.rep.CreatedProducts = append(env.rep.CreatedProducts, p.Code)
	}
	return ids, nil
}
