package models_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
	"testing"

	"visitbot/models"
)

// frozenMigrations holds the SHA-256 of every committed migration file. A
// file is frozen once committed: databases have run it, so a change goes
// into a new migration. Add a line for each new file (TestWriteMigrationDraft
// prints it); never change a line.
var frozenMigrations = map[string]string{
	"0001_initial.mysql.sql":                   "472eaf9348fd65ee0565743a61c1424eee0add5a87ba8e13d8ee498a4ada1321",
	"0001_initial.sqlite.sql":                  "9fb8432056efef97ce6802ce78635f385c7d2f5cb2c3bcf99ba2e944c2cdeb67",
	"0002_job_run_args.sqlite.sql":             "55a1b3c978b422ccd7eaea17105d3639332e10e9e0252416b6eba40c4d1eb68e",
	"0002_job_run_args.mysql.sql":              "f9a6a7ba1025604e4b1df3d5324a3c9e6790083ab02111fad65d3bb0a0c0fe31",
	"0003_users_employee_no.sqlite.sql":        "46ed701d4cf27f66f8bb421cacf085a00a91822c4928285b4627acfffec3ee34",
	"0003_users_employee_no.mysql.sql":         "06b87dd06ed56bee2d3b2578c65942f25abfb846804a813d5b3c9b835f4b29a4",
	"0004_doctors_heat_day.sqlite.sql":         "7cf7d789d7ee442b5dc1df44ac2ec6e8740d2d4e0fef6a8b9081cbe58d6d5026",
	"0004_doctors_heat_day.mysql.sql":          "0214c965e19f5061fd1c2cf89d975a32cb41fae392f666150919de5ea1c366ad",
	"0006_import_uploads.sqlite.sql":           "1f9d93017e0e535ddea9d6e96fd90aa6eb06f0fe0f2e7e1541581650aa7f19c7",
	"0006_import_uploads.mysql.sql":            "1e96efc516198f7b918a7a6711da1e3d227d6a785a4540a8ec86670c1fae81bc",
	"0007_heat_notes.sqlite.sql":               "ecc5259e1f76e7649eaed1d90afe21479dfd16e006b5361c2d5168cdc25f1521",
	"0007_heat_notes.mysql.sql":                "e394178e8541b0bd04ae419121830e8134a38ce56a300c98625c6bec61f25573",
	"0008_signals_covering_index.sqlite.sql":   "d62899cd5bdd684977451ca6c8e48ad2c1b14e8bd64d9aa54cf5f0b7e75a2110",
	"0008_signals_covering_index.mysql.sql":    "3b3ab3c5677c5223f0ea212d9d21fd0f8fbafb9db44f6766d49a8936eb6c4605",
	"0009_morning_covering_indexes.sqlite.sql": "d54a4b9ca1cd2b341e541921c100f18c8d8ded191c62e1da26917946e4806680",
	"0009_morning_covering_indexes.mysql.sql":  "2ca4b297c37583f5e73c22c1da117cdbe0117ec7c02244e1ab001d2798f2d652",
	"0010_heat_note_surge.sqlite.sql":          "f58a7b37670ca60fa027e73a02566a1e6bc7d261a1ff3b90ded8f6e2a691461b",
	"0010_heat_note_surge.mysql.sql":           "d381e631a9e5c9ab58080dc83bbebc3ffbbf1e541ee3fe9b6852a8fa26ab8cf5",
	"0011_last_listings.sqlite.sql":            "33ef51be3dc0ecb82a0f8825aa0b7793d0bc05710bbaf863c665907986e6ecb9",
	"0011_last_listings.mysql.sql":             "78c65cd00ca43f64c43b49f9c0729f5ee045b1eb6197e0887b6875f9cf4dbd43",
	"0012_route_km.sqlite.sql":                 "4240d39dd21614c833788f3115d1d99711d8c8711994a3a86ac8628878cc9ce3",
	"0012_route_km.mysql.sql":                  "1c676c5c22a0fcc3772afa4321d33e4d6bb7035e813cb1e470d63543ef658b52",
	"0013_setting_mediumtext.sqlite.sql":       "a191358fa8a20f361f91a8db6137c926427c91618463b87068dc87f6e8b38efc",
	"0013_setting_mediumtext.mysql.sql":        "7e647f771df88bafef70f451b6285ba34035ec20203826649e25254a33db99a7",
}

// TestMigrationFilesAreFrozen: every migration file is listed with its sum,
// and no listed file changed or disappeared.
func TestMigrationFilesAreFrozen(t *testing.T) {
	names, err := fs.Glob(models.MigrationFiles(), "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, name := range names {
		body, err := fs.ReadFile(models.MigrationFiles(), name)
		if err != nil {
			t.Fatal(err)
		}
		base := path.Base(name)
		seen[base] = true
		sum := sha256.Sum256(body)
		got := hex.EncodeToString(sum[:])
		want, ok := frozenMigrations[base]
		switch {
		case !ok:
			t.Errorf("%s is not frozen yet; once reviewed, add to frozenMigrations:\n\t%q: %q,", base, base, got)
		case got != want:
			t.Errorf("%s changed (sha256 %s, frozen %s): applied migrations never change; revert it and add a new migration", base, got, want)
		}
	}
	for base := range frozenMigrations {
		if !seen[base] {
			t.Errorf("frozen migration %s is missing: databases have applied it; restore it", base)
		}
	}
}
