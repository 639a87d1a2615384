-- 0006_import_uploads (mysql): drafted from GORM AutoMigrate of the models, reviewed, then frozen.
-- Never edit after commit: add a new migration instead (see models/migrate.go).

CREATE TABLE IF NOT EXISTS `import_uploads` (
  `id` bigint unsigned AUTO_INCREMENT,
  `token_hash` varchar(64) NOT NULL,
  `user_id` bigint unsigned NOT NULL,
  `session` varchar(64) NOT NULL,
  `digest` varchar(64) NOT NULL,
  `name` varchar(255) NOT NULL,
  `kind` varchar(32),
  `mapping` longblob,
  `create_missing` varchar(64),
  `size` bigint NOT NULL,
  `created_at` datetime(3) NULL,
  `expires_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  INDEX `idx_import_uploads_expires_at` (`expires_at`),
  UNIQUE INDEX `idx_import_uploads_token_hash` (`token_hash`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `import_upload_parts` (
  `upload_id` bigint unsigned,
  `seq` bigint,
  `data` longblob,
  PRIMARY KEY (`upload_id`,`seq`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
