-- 0007_heat_notes (sqlite): drafted from GORM AutoMigrate of the models, reviewed, then frozen.
-- Never edit after commit: add a new migration instead (see models/migrate.go).

CREATE TABLE `heat_notes` (
  `day` text,
  `doctor_id` integer,
  `hospital_id` integer NOT NULL,
  `tier` text NOT NULL DEFAULT "",
  `heat` real NOT NULL DEFAULT 0,
  `note` text NOT NULL,
  `last_visit` text NOT NULL DEFAULT "",
  `last_positive` text NOT NULL DEFAULT "",
  `product_match` real NOT NULL DEFAULT 0,
  PRIMARY KEY (`day`,`doctor_id`)
);
