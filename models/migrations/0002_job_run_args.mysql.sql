-- 0002_job_run_args (mysql): drafted from GORM AutoMigrate of the models, reviewed, then frozen.
-- Never edit after commit: add a new migration instead (see models/migrate.go).

ALTER TABLE `job_runs` ADD `args` text;
