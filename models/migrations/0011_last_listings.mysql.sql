-- 0011_last_listings (mysql): drafted from GORM AutoMigrate of the models, reviewed, then frozen.
-- Never edit after commit: add a new migration instead (see models/migrate.go).

CREATE TABLE IF NOT EXISTS `last_listings` (
  `rep_id` bigint unsigned,
  `doctor_id` bigint unsigned,
  `last_day` varchar(10) NOT NULL,
  `prev_day` varchar(10) NOT NULL DEFAULT '',
  PRIMARY KEY (`rep_id`,`doctor_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The lists stored so far, folded into their last two days per rep and doctor (written by hand: AutoMigrate moves no data).
INSERT INTO `last_listings` (`rep_id`, `doctor_id`, `last_day`, `prev_day`)
SELECT `rep_id`, `doctor_id`, MAX(`day`), '' FROM `recommendations` GROUP BY `rep_id`, `doctor_id`;

UPDATE `last_listings` SET `prev_day` = COALESCE((SELECT MAX(r.`day`) FROM `recommendations` r
  WHERE r.`rep_id` = `last_listings`.`rep_id` AND r.`doctor_id` = `last_listings`.`doctor_id` AND r.`day` < `last_listings`.`last_day`), '');
