package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// UploadPartBytes is the size of one stored piece of an upload: MariaDB's
// default max_allowed_packet is 16 MiB (MySQL 8's 64 MiB), so a 64 MiB upload
// is kept as 1 MiB rows that any server accepts.
const UploadPartBytes = 1 << 20

// ImportUpload is a file or zipped bundle an admin dry-ran on the admin
// import page, kept until they confirm (or until ExpiresAt), so the commit
// imports exactly the bytes that were checked, on whichever replica it
// lands. The bearer token itself is never stored, only its SHA-256.
type ImportUpload struct {
	ID        uint   `gorm:"primaryKey"`
	TokenHash string `gorm:"size:64;not null;uniqueIndex"`
	UserID    uint   `gorm:"not null"`
	// Session identifies the admin's sign-in (a MAC of its nonce): another
	// session of the same admin cannot commit it.
	Session string `gorm:"size:64;not null"`
	// Digest is the SHA-256 of the uploaded bytes, checked again at commit.
	Digest        string `gorm:"size:64;not null"`
	Name          string `gorm:"size:255;not null"`
	Kind          string `gorm:"size:32"`
	Mapping       []byte
	CreateMissing string `gorm:"size:64"`
	Size          int64  `gorm:"not null"`
	CreatedAt     time.Time
	ExpiresAt     time.Time `gorm:"not null;index"`
}

// ImportUploadPart is one UploadPartBytes piece of an upload's bytes.
type ImportUploadPart struct {
	UploadID uint `gorm:"primaryKey;autoIncrement:false"`
	Seq      int  `gorm:"primaryKey;autoIncrement:false"`
	Data     []byte
}

// HashUploadToken is how an upload token is looked up: its SHA-256 in hex.
func HashUploadToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// SaveUpload stores u with data in parts, in one transaction, and first
// drops the uploads that expired (they are never committed).
func (s *ImportStore) SaveUpload(ctx context.Context, u *ImportUpload, data []byte) error {
	return s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.purgeUploads(ctx); err != nil {
			return err
		}
		u.Size = int64(len(data))
		u.CreatedAt, u.ExpiresAt = s.db.clock.Now().UTC(), u.ExpiresAt.UTC() // compared as text on SQLite
		if err := s.db.create(ctx, u); err != nil {
			return fmt.Errorf("save upload: %w", err)
		}
		for seq := 0; seq*UploadPartBytes < len(data) || seq == 0; seq++ {
			part := data[seq*UploadPartBytes : min(len(data), (seq+1)*UploadPartBytes)]
			if err := s.db.create(ctx, &ImportUploadPart{UploadID: u.ID, Seq: seq, Data: part}); err != nil {
				return fmt.Errorf("save upload part %d: %w", seq, err)
			}
		}
		return nil
	})
}

// Upload loads the upload of a token with its bytes (ErrNotFound when there
// is none; expiry is the caller's check, so it can say "expired").
func (s *ImportStore) Upload(ctx context.Context, token string) (*ImportUpload, []byte, error) {
	// The row and its parts in one transaction: a commit racing on another
	// replica deletes both, and reading them apart could see the row
	// without its parts.
	var u *ImportUpload
	var parts []ImportUploadPart
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		var err error
		if u, err = first[ImportUpload](ctx, s.db, "token_hash = ?", HashUploadToken(token)); err != nil {
			return err
		}
		if err := s.db.WithContext(ctx).Where("upload_id = ?", u.ID).Order("seq").Find(&parts).Error; err != nil {
			return fmt.Errorf("load upload parts: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	data := make([]byte, 0, u.Size)
	for _, p := range parts {
		data = append(data, p.Data...)
	}
	if int64(len(data)) != u.Size {
		return nil, nil, fmt.Errorf("upload %d: %d of %d bytes stored", u.ID, len(data), u.Size)
	}
	return u, data, nil
}

// ErrUploadTaken means another request already consumed the upload (a
// double click, or a second replica): the import it started is the one.
var ErrUploadTaken = errors.New("upload already committed or removed")

// TakeUpload deletes the upload id; inside the import's transaction it makes
// the commit happen once however many requests race (ErrUploadTaken for the
// others).
func (s *ImportStore) TakeUpload(ctx context.Context, id uint) error {
	if err := s.db.WithContext(ctx).Where("upload_id = ?", id).Delete(&ImportUploadPart{}).Error; err != nil {
		return fmt.Errorf("delete upload parts: %w", err)
	}
	res := s.db.WithContext(ctx).Where("id = ?", id).Delete(&ImportUpload{})
	if res.Error != nil {
		return fmt.Errorf("delete upload: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrUploadTaken
	}
	return nil
}

// purgeUploads deletes the uploads past their ExpiresAt.
func (s *ImportStore) purgeUploads(ctx context.Context) error {
	now := s.db.clock.Now().UTC()
	expired := s.db.WithContext(ctx).Model(&ImportUpload{}).Select("id").Where("expires_at < ?", now)
	if err := s.db.WithContext(ctx).Where("upload_id IN (?)", expired).Delete(&ImportUploadPart{}).Error; err != nil {
		return fmt.Errorf("purge upload parts: %w", err)
	}
	if err := s.db.WithContext(ctx).Where("expires_at < ?", now).Delete(&ImportUpload{}).Error; err != nil {
		return fmt.Errorf("purge uploads: %w", err)
	}
	return nil
}
