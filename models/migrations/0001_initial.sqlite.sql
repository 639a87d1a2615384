-- 0001_initial (sqlite): drafted from GORM AutoMigrate of the models, reviewed, then frozen.
-- Never edit after commit: add a new migration instead (see models/migrate.go).

CREATE TABLE `users` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `user_id` text NOT NULL,
  `name` text NOT NULL,
  `role` text NOT NULL,
  `manager_id` integer,
  `territory` text,
  `start_lat` real,
  `start_lng` real,
  `wecom_user_id` text,
  `dingtalk_user_id` text,
  `phone` text,
  `active` numeric NOT NULL,
  `created_at` datetime,
  `updated_at` datetime
);
CREATE UNIQUE INDEX `idx_users_ding_talk_user_id` ON `users`(`dingtalk_user_id`);
CREATE INDEX `idx_users_manager_id` ON `users`(`manager_id`);
CREATE INDEX `idx_users_role` ON `users`(`role`);
CREATE INDEX `idx_users_territory` ON `users`(`territory`);
CREATE UNIQUE INDEX `idx_users_user_id` ON `users`(`user_id`);
CREATE UNIQUE INDEX `idx_users_we_com_user_id` ON `users`(`wecom_user_id`);

CREATE TABLE `hospitals` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `external_id` text NOT NULL,
  `name` text NOT NULL,
  `level` text NOT NULL,
  `city` text,
  `lat` real,
  `lng` real,
  `created_at` datetime,
  `updated_at` datetime
);
CREATE INDEX `idx_hospitals_city` ON `hospitals`(`city`);
CREATE UNIQUE INDEX `idx_hospitals_external_id` ON `hospitals`(`external_id`);

CREATE TABLE `doctors` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `external_id` text NOT NULL,
  `name` text NOT NULL,
  `hospital_id` integer NOT NULL,
  `department` text NOT NULL,
  `title` text NOT NULL,
  `is_kol` numeric NOT NULL DEFAULT false,
  `roles` text,
  `legacy_tier` text,
  `tier` text,
  `heat` real NOT NULL DEFAULT 0,
  `heat_at` datetime,
  `created_at` datetime,
  `updated_at` datetime
);
CREATE UNIQUE INDEX `idx_doctors_external_id` ON `doctors`(`external_id`);
CREATE INDEX `idx_doctors_hospital_id` ON `doctors`(`hospital_id`);
CREATE INDEX `idx_doctors_name` ON `doctors`(`name`);
CREATE INDEX `idx_doctors_tier` ON `doctors`(`tier`);

CREATE TABLE `assignments` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `rep_id` integer NOT NULL,
  `doctor_id` integer NOT NULL,
  `created_at` datetime
);
CREATE INDEX `idx_assignments_doctor_id` ON `assignments`(`doctor_id`);
CREATE UNIQUE INDEX `ux_assignment` ON `assignments`(`rep_id`,`doctor_id`);

CREATE TABLE `clinic_sessions` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `doctor_id` integer NOT NULL,
  `weekday` integer NOT NULL,
  `day` text NOT NULL DEFAULT "",
  `period` text NOT NULL
);
CREATE UNIQUE INDEX `ux_session` ON `clinic_sessions`(`doctor_id`,`weekday`,`day`,`period`);

CREATE TABLE `clinic_cancellations` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `doctor_id` integer NOT NULL,
  `day` text NOT NULL,
  `period` text NOT NULL DEFAULT "",
  `reason` text
);
CREATE UNIQUE INDEX `ux_cancel` ON `clinic_cancellations`(`doctor_id`,`day`,`period`);

CREATE TABLE `products` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `code` text NOT NULL,
  `name` text NOT NULL,
  `area` text
);
CREATE UNIQUE INDEX `idx_products_code` ON `products`(`code`);

CREATE TABLE `doctor_products` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `doctor_id` integer NOT NULL,
  `product_id` integer NOT NULL,
  `match` real NOT NULL
);
CREATE UNIQUE INDEX `ux_doctor_product` ON `doctor_products`(`doctor_id`,`product_id`);

CREATE TABLE `signals` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `external_id` text NOT NULL,
  `doctor_id` integer NOT NULL,
  `class` text NOT NULL,
  `kind` text NOT NULL,
  `value` real NOT NULL,
  `occurred_at` datetime NOT NULL,
  `source` text,
  `detail` text,
  `created_at` datetime
);
CREATE INDEX `idx_signals_class` ON `signals`(`class`);
CREATE UNIQUE INDEX `idx_signals_external_id` ON `signals`(`external_id`);
CREATE INDEX `ix_signal_doctor_time` ON `signals`(`doctor_id`,`occurred_at`);

CREATE TABLE `flow_records` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `hospital_id` integer NOT NULL,
  `department` text NOT NULL,
  `product_id` integer NOT NULL,
  `month` text NOT NULL,
  `quantity` real NOT NULL
);
CREATE UNIQUE INDEX `ux_flow` ON `flow_records`(`hospital_id`,`department`,`product_id`,`month`);

CREATE TABLE `recommendations` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `rep_id` integer NOT NULL,
  `day` text NOT NULL,
  `doctor_id` integer NOT NULL,
  `rank` integer NOT NULL,
  `kind` text NOT NULL,
  `score` real NOT NULL,
  `heat` real NOT NULL,
  `period` text,
  `distance_m` real,
  `reasons` text,
  `breakdown` text,
  `created_at` datetime
);
CREATE INDEX `ix_rec_rank` ON `recommendations`(`rep_id`,`day`,`rank`);
CREATE UNIQUE INDEX `ux_rec` ON `recommendations`(`rep_id`,`day`,`doctor_id`);

CREATE TABLE `must_visits` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `rep_id` integer NOT NULL,
  `doctor_id` integer NOT NULL,
  `due_day` text NOT NULL,
  `source` text NOT NULL,
  `note` text,
  `ref_key` text,
  `done_at` datetime,
  `created_at` datetime
);
CREATE UNIQUE INDEX `idx_must_visits_ref_key` ON `must_visits`(`ref_key`);
CREATE INDEX `ix_must` ON `must_visits`(`rep_id`,`due_day`);

CREATE TABLE `daily_plans` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `rep_id` integer NOT NULL,
  `day` text NOT NULL,
  `accepted_at` datetime
);
CREATE UNIQUE INDEX `ux_plan` ON `daily_plans`(`rep_id`,`day`);

CREATE TABLE `visits` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `rep_id` integer NOT NULL,
  `doctor_id` integer NOT NULL,
  `day` text NOT NULL,
  `hospital_id` integer NOT NULL,
  `status` text NOT NULL,
  `planned` numeric NOT NULL DEFAULT false,
  `skip_reason` text,
  `check_in_at` datetime,
  `lat` real,
  `lng` real,
  `check_in_hospital_id` integer,
  `distance_m` real,
  `verified` numeric NOT NULL DEFAULT false,
  `created_at` datetime,
  `updated_at` datetime
);
CREATE INDEX `idx_visits_day` ON `visits`(`day`);
CREATE INDEX `idx_visits_doctor_id` ON `visits`(`doctor_id`);
CREATE INDEX `idx_visits_rep_id` ON `visits`(`rep_id`);
CREATE UNIQUE INDEX `ux_visit` ON `visits`(`rep_id`,`doctor_id`,`day`);

CREATE TABLE `visit_feedbacks` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `visit_id` integer NOT NULL,
  `rep_id` integer NOT NULL,
  `doctor_id` integer NOT NULL,
  `concerns` text,
  `objection` text,
  `commitments` text,
  `follow_up` text,
  `note` text,
  `quality_score` real,
  `submitted_at` datetime,
  `created_at` datetime
);
CREATE INDEX `idx_visit_feedbacks_doctor_id` ON `visit_feedbacks`(`doctor_id`);
CREATE INDEX `idx_visit_feedbacks_rep_id` ON `visit_feedbacks`(`rep_id`);
CREATE UNIQUE INDEX `idx_visit_feedbacks_visit_id` ON `visit_feedbacks`(`visit_id`);

CREATE TABLE `alerts` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `kind` text NOT NULL,
  `subject_key` text NOT NULL,
  `doctor_id` integer,
  `rep_id` integer,
  `manager_id` integer,
  `title` text NOT NULL,
  `emphasis` text,
  `reasons` text,
  `status` text NOT NULL,
  `snooze_until` datetime,
  `created_at` datetime,
  `updated_at` datetime
);
CREATE INDEX `idx_alerts_doctor_id` ON `alerts`(`doctor_id`);
CREATE INDEX `idx_alerts_manager_id` ON `alerts`(`manager_id`);
CREATE INDEX `idx_alerts_rep_id` ON `alerts`(`rep_id`);
CREATE INDEX `idx_alerts_status` ON `alerts`(`status`);
CREATE INDEX `ix_alert_subject` ON `alerts`(`kind`,`subject_key`,`created_at`);

CREATE TABLE `tier_changes` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `doctor_id` integer NOT NULL,
  `day` text NOT NULL,
  `from_tier` text,
  `to_tier` text NOT NULL,
  `heat` real,
  `rising` numeric NOT NULL DEFAULT false
);
CREATE INDEX `idx_tier_changes_rising` ON `tier_changes`(`rising`);
CREATE UNIQUE INDEX `ux_tier_change` ON `tier_changes`(`doctor_id`,`day`);

CREATE TABLE `outbox_messages` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `dedupe_key` text NOT NULL,
  `platform` text NOT NULL,
  `recipient_id` integer NOT NULL,
  `purpose` text NOT NULL,
  `kind` text NOT NULL,
  `payload` text NOT NULL,
  `status` text NOT NULL,
  `next_attempt_at` datetime NOT NULL,
  `attempts` integer NOT NULL DEFAULT 0,
  `claimed_by` text,
  `claimed_until` datetime,
  `last_error` text,
  `msg_id` text,
  `task_id` text,
  `sent_at` datetime,
  `created_at` datetime,
  `updated_at` datetime
);
CREATE UNIQUE INDEX `idx_outbox_messages_dedupe_key` ON `outbox_messages`(`dedupe_key`);
CREATE INDEX `idx_outbox_messages_recipient_id` ON `outbox_messages`(`recipient_id`);
CREATE INDEX `idx_outbox_messages_task_id` ON `outbox_messages`(`task_id`);
CREATE INDEX `ix_outbox_ready` ON `outbox_messages`(`status`,`next_attempt_at`);

CREATE TABLE `card_tasks` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `task_id` text NOT NULL,
  `platform` text NOT NULL,
  `user_id` integer NOT NULL,
  `kind` text NOT NULL,
  `ref_id` integer,
  `day` text,
  `msg_id` text,
  `response_code` text,
  `state` text,
  `card` text,
  `data` text,
  `created_at` datetime,
  `updated_at` datetime
);
CREATE UNIQUE INDEX `idx_card_tasks_task_id` ON `card_tasks`(`task_id`);
CREATE INDEX `idx_card_tasks_user_id` ON `card_tasks`(`user_id`);

CREATE TABLE `inbound_deliveries` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `key` text NOT NULL,
  `platform` text NOT NULL,
  `kind` text,
  `received_at` datetime
);
CREATE UNIQUE INDEX `idx_inbound_deliveries_key` ON `inbound_deliveries`(`key`);

CREATE TABLE `raw_events` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `platform` text NOT NULL,
  `type` text,
  `body` text,
  `received_at` datetime
);

CREATE TABLE `job_runs` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `job` text NOT NULL,
  `slot` text NOT NULL,
  `replica` text,
  `outcome` text NOT NULL,
  `error` text,
  `detail` text,
  `started_at` datetime,
  `finished_at` datetime
);
CREATE UNIQUE INDEX `ux_job_slot` ON `job_runs`(`job`,`slot`);

CREATE TABLE `audit_logs` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `actor_id` integer,
  `action` text NOT NULL,
  `target` text,
  `detail` text,
  `at` datetime
);
CREATE INDEX `idx_audit_logs_action` ON `audit_logs`(`action`);
CREATE INDEX `idx_audit_logs_actor_id` ON `audit_logs`(`actor_id`);
CREATE INDEX `idx_audit_logs_at` ON `audit_logs`(`at`);

CREATE TABLE `consents` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `user_id` integer NOT NULL,
  `kind` text NOT NULL,
  `at` datetime
);
CREATE UNIQUE INDEX `ux_consent` ON `consents`(`user_id`,`kind`);

CREATE TABLE `settings` (
  `key` text,
  `value` text,
  `expires_at` datetime,
  `updated_at` datetime,
  PRIMARY KEY (`key`)
);

CREATE TABLE `console_messages` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `user_id` integer NOT NULL,
  `direction` text NOT NULL,
  `kind` text NOT NULL,
  `body` text,
  `task_id` text,
  `created_at` datetime
);
CREATE INDEX `idx_console_messages_task_id` ON `console_messages`(`task_id`);
CREATE INDEX `idx_console_messages_user_id` ON `console_messages`(`user_id`);

CREATE TABLE `check_ins` (
  `id` integer PRIMARY KEY AUTOINCREMENT,
  `rep_id` integer NOT NULL,
  `day` text NOT NULL,
  `at` datetime,
  `lat` real,
  `lng` real,
  `hospital_id` integer,
  `distance_m` real,
  `verified` numeric NOT NULL DEFAULT false,
  `on_plan` numeric NOT NULL DEFAULT false,
  `reported` numeric NOT NULL DEFAULT false
);
CREATE INDEX `ix_checkin_rep_day` ON `check_ins`(`rep_id`,`day`);
