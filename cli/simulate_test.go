package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSimulatePrintsReadableSummary: `simulate` on a seeded database says
// what the days raised (alerts through the scheduled jobs) and prints plan
// vs actual as a table (off-plan levels as a list), never a Go map.
func TestSimulatePrintsReadableSummary(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a world")
	}
	env := []string{"VISITBOT_DATABASE_DSN=" + filepath.Join(t.TempDir(), "vb.db"), "VISITBOT_LOG_LEVEL=warn"}
	if code, _, stderr := runCLI(t, env, "seed", "-reps", "3", "-doctors", "120", "-today", "2026-11-08"); code != 0 {
		t.Fatalf("seed: %d %s", code, stderr)
	}
	code, out, stderr := runCLI(t, env, "simulate", "-from", "2026-11-09", "-days", "14")
	if code != 0 {
		t.Fatalf("simulate: %d %s", code, stderr)
	}
	if strings.Contains(out, "map[") || !strings.Contains(out, "rep      planned matched   rate offplan") {
		t.Fatalf("summary prints a Go map or no plan-vs-actual table:\n%s", out)
	}
	if !strings.Contains(out, "scheduled jobs (nightly_scores, alert_scan, weekly_digest): 30 runs;") || strings.Contains(out, " 0 alerts raised") {
		t.Fatalf("summary names no scheduled jobs or no alerts:\n%s", out)
	}
}

func TestCountListReadsAsAList(t *testing.T) {
	got := countList(map[string]int{"二级": 3, "社区卫生服务中心": 12, "三级甲等": 3})
	if got != "社区卫生服务中心 12, 三级甲等 3, 二级 3" {
		t.Fatalf("countList = %q", got)
	}
}
