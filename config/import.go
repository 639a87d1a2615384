package config

// ImportConfig controls `visitbot import`, bundles and the admin import page.
type ImportConfig struct {
	// Lang is the language of import reports for people: zh (default; the
	// admins who fix a company's files read Chinese) or en. Every problem
	// also carries its English key.
	Lang string `yaml:"lang"`
	// MaxUploadBytes caps a file or zipped bundle uploaded on the admin page.
	MaxUploadBytes int64 `yaml:"max_upload_bytes"`
}

func defaultImport() ImportConfig {
	return ImportConfig{Lang: "zh", MaxUploadBytes: 64 << 20}
}

func (c ImportConfig) validate() error {
	switch c.Lang {
	case "zh", "en":
	default:
		return bad("import.lang", "must be zh or en, got %q", c.Lang)
	}
	if c.MaxUploadBytes < 1<<10 || c.MaxUploadBytes > 1<<30 {
		return bad("import.max_upload_bytes", "must be 1 KiB-1 GiB, got %d", c.MaxUploadBytes)
	}
	return nil
}
