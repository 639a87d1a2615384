-- 0010_heat_note_surge (sqlite): drafted from GORM AutoMigrate of the models, reviewed, then frozen.
-- Never edit after commit: add a new migration instead (see models/migrate.go).

ALTER TABLE `heat_notes` ADD `surge_since` text NOT NULL DEFAULT "";

ALTER TABLE `heat_notes` ADD `surge_recent` integer NOT NULL DEFAULT 0;

ALTER TABLE `heat_notes` ADD `surge_p` real NOT NULL DEFAULT 0;

-- ix_note_morning covers the new columns too (written by hand: AutoMigrate keeps an existing index as it is).
DROP INDEX `ix_note_morning`;

CREATE INDEX `ix_note_morning` ON `heat_notes`(`day`,`doctor_id`,`hospital_id`,`tier`,`heat`,`last_visit`,`last_positive`,`product_match`,`surge_since`,`surge_recent`,`surge_p`);
