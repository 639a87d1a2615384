-- 0006_import_uploads (sqlite): drafted from GORM AutoMigrate of the models, reviewed, then frozen.
-- Never edit after commit: add a new migration instead (see models/migrate.go).

CREATE TABLE `import_uploads` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `token_hash` text NOT NULL,
  `user_id` integer NOT NULL,
  `session` text NOT NULL,
  `digest` text NOT NULL,
  `name` text NOT NULL,
  `kind` text,
  `mapping` blob,
  `create_missing` text,
  `size` integer NOT NULL,
  `created_at` datetime,
  `expires_at` datetime NOT NULL
);
CREATE INDEX `idx_import_uploads_expires_at` ON `import_uploads`(`expires_at`);
CREATE UNIQUE INDEX `idx_import_uploads_token_hash` ON `import_uploads`(`token_hash`);

CREATE TABLE `import_upload_parts` (
  `upload_id` integer,
  `seq` integer,
  `data` blob,
  PRIMARY KEY (`upload_id`,`seq`)
);
