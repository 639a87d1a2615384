-- 0004_doctors_heat_day (sqlite): drafted from GORM AutoMigrate of the models, reviewed, then frozen.
-- Never edit after commit: add a new migration instead (see models/migrate.go).

ALTER TABLE `doctors` ADD `heat_day` text;
