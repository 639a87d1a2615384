-- 0013_setting_mediumtext (sqlite): drafted from GORM AutoMigrate of the models, reviewed, then frozen.
-- Never edit after commit: add a new migration instead (see models/migrate.go).

CREATE TABLE `settings__temp` (
  `key` text,
  `value` mediumtext,
  `expires_at` datetime,
  `updated_at` datetime,
  PRIMARY KEY (`key`)
);

INSERT INTO `settings__temp`(`key`,`value`,`expires_at`,`updated_at`) SELECT `key`,`value`,`expires_at`,`updated_at` FROM `settings`;

DROP TABLE `settings`;

ALTER TABLE `settings__temp` RENAME TO `settings`;

-- Why (written by hand): the nightly keeps the day's series calendar in a setting, and TEXT holds 65,535 bytes on
-- MySQL (strict mode refuses more: "Data too long", and the night's scoring failed with it). A calendar takes about
-- 170 bytes per lecture series (13 weekly days of the window), so a national company's few hundred series passed it.
-- MEDIUMTEXT holds 16 MB; SQLite's TEXT has no such bound, and the table is rebuilt only to keep the declared type.
