package importer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"visitbot/models"
	"visitbot/models/modelstest"
)

// companyDir is a company's own export (康瑞医药, 华东一区) with its own
// headers, GBK and BOM CSVs, workbooks with title rows, numbers and dates as
// Excel stores them: docs/onboarding.md walks through it.
const companyDir = "testdata/company"

// TestCompanyBundleLoadsThroughMappingsAlone loads the example export with
// `import bundle` semantics: a dry run of the whole bundle finds nothing to
// fix, the import writes every kind in one transaction, the hook gets the
// signals with their dates, and importing again changes nothing.
func TestCompanyBundleLoadsThroughMappingsAlone(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		var fired []models.Signal
		im := New(s, Config{OnSignals: func(_ context.Context, sigs []models.Signal) { fired = append(fired, sigs...) }})
		b, err := im.OpenBundleDir(companyDir)
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, in := range b.Inputs() {
			order = append(order, in.Kind())
		}
		if got := strings.Join(order, " "); got != "hospitals users doctors doctor_products assignments sessions flow signals" {
			t.Fatalf("load order = %s", got)
		}

		dry, err := im.ImportBundle(ctx, b, Options{DryRun: true})
		if err != nil || dry.Rejected() {
			t.Fatalf("dry run: %v\n%s", err, reportText(dry, LangEN))
		}
		if n := count[models.Doctor](t, s); n != 0 || len(fired) != 0 {
			t.Fatalf("dry run wrote %d doctors, fired %d signals", n, len(fired))
		}

		res, err := im.ImportBundle(ctx, b, Options{})
		if err != nil || !res.Written {
			t.Fatalf("import: %v\n%s", err, reportText(res, LangEN))
		}
		want := map[string]int{"hospitals": 8, "users": 11, "doctors": 30, "doctor_products": 20, "assignments": 30,
			"sessions": 46, "flow": 72, "signals": 183}
		for _, k := range res.Summary.Kinds {
			if k.Created != want[k.Kind] || k.BadRows != 0 {
				t.Errorf("%s: %+v, want %d created", k.Kind, k, want[k.Kind])
			}
		}
		if dry.Summary.Kinds[2].Created != 30 {
			t.Errorf("the dry run did not count the doctors checked against the bundle's hospitals: %+v", dry.Summary.Kinds)
		}
		if got := strings.Join(res.Summary.CreatedProducts, ","); got != "KR-205,KR-101" && got != "KR-101,KR-205" {
			t.Errorf("created products = %q", got)
		}
		if len(fired) != 183 || res.Summary.Signals.Created != 183 ||
			!res.Summary.Signals.Newest.Equal(time.Date(2026, 11, 30, 20, 5, 0, 0, modelstest.Shanghai)) ||
			res.Summary.Signals.Oldest.Before(time.Date(2026, 6, 1, 0, 0, 0, 0, modelstest.Shanghai)) {
			t.Errorf("hook got %d signals, summary %+v", len(fired), res.Summary.Signals)
		}

		// 直属上级 named the manager by WeCom account; 员工工号 is also the user id.
		rep, err := s.Users.UserByUserID(ctx, "10011")
		if err != nil {
			t.Fatal(err)
		}
		mgr, _ := s.Users.UserByUserID(ctx, "10001")
		if rep.ManagerID == nil || *rep.ManagerID != mgr.ID || rep.Role != models.RoleRep || rep.EmployeeNo == nil || *rep.EmployeeNo != "10011" ||
			rep.Phone != "13800000011" || rep.Territory != "徐汇" {
			t.Errorf("rep 10011 = %+v (manager %d)", rep, mgr.ID)
		}
		if gone, _ := s.Users.UserByUserID(ctx, "10018"); gone.Active {
			t.Error("离职 imported as active")
		}
		if admin, _ := s.Users.UserByUserID(ctx, "10000"); admin.Role != models.RoleAdmin {
			t.Errorf("运营专员 = %s", admin.Role)
		}
		var d models.Doctor
		s.DB(ctx).Where("external_id = ?", "KR-D0101").Take(&d)
		if d.Title != models.TitleChief || !d.IsKOL || d.LegacyTier != "A" || d.Roles != "formulary" {
			t.Errorf("KR-D0101 = %+v", d)
		}
		var d4 models.Doctor
		s.DB(ctx).Where("external_id = ?", "KR-D0104").Take(&d4)
		if d4.LegacyTier != "C" || d4.Roles != "formulary,insurance_advocate" {
			t.Errorf("KR-D0104 = %+v", d4)
		}
		var sig models.Signal
		s.DB(ctx).Where("external_id = ?", "EV900001").Take(&sig)
		if sig.Class != models.ClassTrial || sig.Kind != "trial_investigator" || sig.Value != 1 || sig.Source != "CRM" {
			t.Errorf("EV900001 = %+v", sig)
		}
		var absent int64
		s.DB(ctx).Model(&models.Signal{}).Where("kind = ? AND value = 0", "lecture_absent").Count(&absent)
		var absences int64
		s.DB(ctx).Model(&models.Signal{}).Where("kind = ?", "lecture_absent").Count(&absences)
		if absences == 0 || absent != absences {
			t.Errorf("lecture absences: %d of %d with value 0", absent, absences)
		}
		var flow models.FlowRecord
		s.DB(ctx).Order("month").Take(&flow)
		if flow.Month != "2026-06" || flow.Quantity == 0 {
			t.Errorf("flow = %+v", flow)
		}
		var dp models.DoctorProduct
		s.DB(ctx).Order("id").Take(&dp)
		if dp.Match != 0.6 {
			t.Errorf("match 60%% = %v", dp.Match)
		}

		again, err := im.ImportBundle(ctx, b, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range again.Summary.Kinds {
			if k.Created+k.Updated != 0 {
				t.Errorf("re-import %s: %+v", k.Kind, k)
			}
		}
		if len(fired) != 183 {
			t.Errorf("re-import fired the hook again: %d", len(fired))
		}
	})
}

// TestCompanyFilesAreUntouched guards the example: the files stay as the
// company exported them (title rows, GBK, BOM), so the test above proves
// the mappings alone do the work.
func TestCompanyFilesAreUntouched(t *testing.T) {
	h, _ := os.ReadFile(filepath.Join(companyDir, "机构主数据.csv"))
	if _, err := DecodeText(h); err != nil || strings.HasPrefix(string(h), "院区编码") || !strings.Contains(string(h), "\r\n") {
		t.Fatalf("机构主数据.csv is not the GBK export with its title row: %v", err)
	}
	if sched, _ := os.ReadFile(filepath.Join(companyDir, "门诊排班.csv")); !strings.HasPrefix(string(sched), "\ufeff") {
		t.Fatal("门诊排班.csv lost its BOM")
	}
}

// reportText renders every file's report, for test failures.
func reportText(res Result, lang Lang) string {
	var b strings.Builder
	for _, f := range res.Files {
		for _, l := range f.Lines(lang) {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
