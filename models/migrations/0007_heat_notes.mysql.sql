-- 0007_heat_notes (mysql): drafted from GORM AutoMigrate of the models, reviewed, then frozen.
-- Never edit after commit: add a new migration instead (see models/migrate.go).

CREATE TABLE IF NOT EXISTS `heat_notes` (
  `day` varchar(10),
  `doctor_id` bigint unsigned,
  `hospital_id` bigint unsigned NOT NULL,
  `tier` varchar(1) NOT NULL DEFAULT '',
  `heat` double NOT NULL DEFAULT 0,
  `note` text NOT NULL,
  `last_visit` varchar(10) NOT NULL DEFAULT '',
  `last_positive` varchar(10) NOT NULL DEFAULT '',
  `product_match` double NOT NULL DEFAULT 0,
  PRIMARY KEY (`day`,`doctor_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
