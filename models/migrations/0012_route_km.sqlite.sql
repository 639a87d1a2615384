-- 0012_route_km (sqlite): drafted from GORM AutoMigrate of the models, reviewed, then frozen.
-- Never edit after commit: add a new migration instead (see models/migrate.go).

ALTER TABLE `recommendations` ADD `route_km` real;

-- No backfill (written by hand): lists stored before 0012 keep NULL and do not count for the travel allowance,
-- which starts from the first list after the upgrade (rewriting every stored list would take minutes at national scale).
-- No index either: RecentRouteKM reads the first row of each list through ix_rec_rank; one more index on the
-- table cost 75 ms of a 125 ms save of 3,000 rows on SQLite.
