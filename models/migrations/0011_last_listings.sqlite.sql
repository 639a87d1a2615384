-- 0011_last_listings (sqlite): drafted from GORM AutoMigrate of the models, reviewed, then frozen.
-- Never edit after commit: add a new migration instead (see models/migrate.go).

CREATE TABLE `last_listings` (
  `rep_id` integer,
  `doctor_id` integer,
  `last_day` text NOT NULL,
  `prev_day` text NOT NULL DEFAULT "",
  PRIMARY KEY (`rep_id`,`doctor_id`)
);

-- The lists stored so far, folded into their last two days per rep and doctor (written by hand: AutoMigrate moves no data).
INSERT INTO `last_listings` (`rep_id`, `doctor_id`, `last_day`, `prev_day`)
SELECT `rep_id`, `doctor_id`, MAX(`day`), '' FROM `recommendations` GROUP BY `rep_id`, `doctor_id`;

UPDATE `last_listings` SET `prev_day` = COALESCE((SELECT MAX(r.`day`) FROM `recommendations` r
  WHERE r.`rep_id` = `last_listings`.`rep_id` AND r.`doctor_id` = `last_listings`.`doctor_id` AND r.`day` < `last_listings`.`last_day`), '');
