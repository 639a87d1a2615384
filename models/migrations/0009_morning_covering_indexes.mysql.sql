-- 0009_morning_covering_indexes (mysql): drafted from GORM AutoMigrate of the models, reviewed, then frozen.
-- Never edit after commit: add a new migration instead (see models/migrate.go).
CREATE INDEX `ix_note_morning` ON `heat_notes`(`day`,`doctor_id`,`hospital_id`,`tier`,`heat`,`last_visit`,`last_positive`,`product_match`);
CREATE INDEX `ix_session_day` ON `clinic_sessions`(`day`,`weekday`,`doctor_id`,`period`);
