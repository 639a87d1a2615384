package models_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"visitbot/models"
	"visitbot/models/modelstest"
)

// TestImportUploads: an upload larger than one part comes back byte for
// byte, is taken once, and expired ones are purged by the next save.
func TestImportUploads(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		now := s.Clock().Now()
		data := bytes.Repeat([]byte("院区编码,机构名称\n"), models.UploadPartBytes/10) // > 2 parts
		u := &models.ImportUpload{TokenHash: models.HashUploadToken("tok-1"), UserID: 7, Session: "s", Digest: "d",
			Name: "公司.zip", Mapping: []byte("columns: {}"), ExpiresAt: now.Add(time.Minute)}
		if err := s.Import.SaveUpload(ctx, u, data); err != nil {
			t.Fatal(err)
		}
		got, back, err := s.Import.Upload(ctx, "tok-1")
		if err != nil || !bytes.Equal(back, data) || got.UserID != 7 || got.Name != "公司.zip" || string(got.Mapping) != "columns: {}" {
			t.Fatalf("upload back: %+v, %d bytes (want %d), %v", got, len(back), len(data), err)
		}
		if _, _, err := s.Import.Upload(ctx, "tok-2"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("unknown token: %v", err)
		}
		if err := s.Import.TakeUpload(ctx, got.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.Import.TakeUpload(ctx, got.ID); !errors.Is(err, models.ErrUploadTaken) {
			t.Fatalf("second take: %v", err)
		}
		var parts int64
		s.DB(ctx).Model(&models.ImportUploadPart{}).Count(&parts)
		if parts != 0 {
			t.Fatalf("%d parts left after take", parts)
		}

		// An expired upload goes with the next save; an empty one is one part.
		old := &models.ImportUpload{TokenHash: models.HashUploadToken("old"), UserID: 7, Session: "s", Digest: "d", Name: "a.csv", ExpiresAt: now.Add(-time.Second)}
		if err := s.Import.SaveUpload(ctx, old, []byte("x")); err != nil {
			t.Fatal(err)
		}
		if err := s.Import.SaveUpload(ctx, &models.ImportUpload{TokenHash: models.HashUploadToken("new"), UserID: 7, Session: "s", Digest: "d", Name: "b.csv", ExpiresAt: now.Add(time.Hour)}, nil); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Import.Upload(ctx, "old"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("expired upload kept: %v", err)
		}
		if _, b, err := s.Import.Upload(ctx, "new"); err != nil || len(b) != 0 {
			t.Fatalf("empty upload: %d bytes, %v", len(b), err)
		}
		s.DB(ctx).Model(&models.ImportUploadPart{}).Count(&parts)
		if parts != 1 {
			t.Fatalf("%d parts, want 1 (the empty upload's)", parts)
		}
	})
}
