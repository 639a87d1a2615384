-- 0003_users_employee_no (sqlite): drafted from GORM AutoMigrate of the models, reviewed, then frozen.
-- Never edit after commit: add a new migration instead (see models/migrate.go).

ALTER TABLE `users` ADD `employee_no` text;
CREATE UNIQUE INDEX `idx_users_employee_no` ON `users`(`employee_no`);
