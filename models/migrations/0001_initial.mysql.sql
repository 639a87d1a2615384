-- 0001_initial (mysql): drafted from GORM AutoMigrate of the models, reviewed, then frozen.
-- Never edit after commit: add a new migration instead (see models/migrate.go).

CREATE TABLE IF NOT EXISTS `users` (
  `id` bigint unsigned AUTO_INCREMENT,
  `user_id` varchar(64) NOT NULL,
  `name` varchar(64) NOT NULL,
  `role` varchar(16) NOT NULL,
  `manager_id` bigint unsigned,
  `territory` varchar(64),
  `start_lat` double,
  `start_lng` double,
  `wecom_user_id` varchar(64),
  `dingtalk_user_id` varchar(64),
  `phone` varchar(32),
  `active` boolean NOT NULL,
  `created_at` datetime(3) NULL,
  `updated_at` datetime(3) NULL,
  PRIMARY KEY (`id`),
  UNIQUE INDEX `idx_users_ding_talk_user_id` (`dingtalk_user_id`),
  INDEX `idx_users_manager_id` (`manager_id`),
  INDEX `idx_users_role` (`role`),
  INDEX `idx_users_territory` (`territory`),
  UNIQUE INDEX `idx_users_user_id` (`user_id`),
  UNIQUE INDEX `idx_users_we_com_user_id` (`wecom_user_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `hospitals` (
  `id` bigint unsigned AUTO_INCREMENT,
  `external_id` varchar(64) NOT NULL,
  `name` varchar(128) NOT NULL,
  `level` varchar(32) NOT NULL,
  `city` varchar(32),
  `lat` double,
  `lng` double,
  `created_at` datetime(3) NULL,
  `updated_at` datetime(3) NULL,
  PRIMARY KEY (`id`),
  INDEX `idx_hospitals_city` (`city`),
  UNIQUE INDEX `idx_hospitals_external_id` (`external_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `doctors` (
  `id` bigint unsigned AUTO_INCREMENT,
  `external_id` varchar(64) NOT NULL,
  `name` varchar(64) NOT NULL,
  `hospital_id` bigint unsigned NOT NULL,
  `department` varchar(64) NOT NULL,
  `title` varchar(16) NOT NULL,
  `is_kol` boolean NOT NULL DEFAULT false,
  `roles` varchar(255),
  `legacy_tier` varchar(1),
  `tier` varchar(1),
  `heat` double NOT NULL DEFAULT 0,
  `heat_at` datetime(3) NULL,
  `created_at` datetime(3) NULL,
  `updated_at` datetime(3) NULL,
  PRIMARY KEY (`id`),
  UNIQUE INDEX `idx_doctors_external_id` (`external_id`),
  INDEX `idx_doctors_hospital_id` (`hospital_id`),
  INDEX `idx_doctors_name` (`name`),
  INDEX `idx_doctors_tier` (`tier`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `assignments` (
  `id` bigint unsigned AUTO_INCREMENT,
  `rep_id` bigint unsigned NOT NULL,
  `doctor_id` bigint unsigned NOT NULL,
  `created_at` datetime(3) NULL,
  PRIMARY KEY (`id`),
  INDEX `idx_assignments_doctor_id` (`doctor_id`),
  UNIQUE INDEX `ux_assignment` (`rep_id`,`doctor_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `clinic_sessions` (
  `id` bigint unsigned AUTO_INCREMENT,
  `doctor_id` bigint unsigned NOT NULL,
  `weekday` bigint NOT NULL,
  `day` varchar(10) NOT NULL DEFAULT '',
  `period` varchar(2) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE INDEX `ux_session` (`doctor_id`,`weekday`,`day`,`period`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `clinic_cancellations` (
  `id` bigint unsigned AUTO_INCREMENT,
  `doctor_id` bigint unsigned NOT NULL,
  `day` varchar(10) NOT NULL,
  `period` varchar(2) NOT NULL DEFAULT '',
  `reason` varchar(128),
  PRIMARY KEY (`id`),
  UNIQUE INDEX `ux_cancel` (`doctor_id`,`day`,`period`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `products` (
  `id` bigint unsigned AUTO_INCREMENT,
  `code` varchar(32) NOT NULL,
  `name` varchar(64) NOT NULL,
  `area` varchar(64),
  PRIMARY KEY (`id`),
  UNIQUE INDEX `idx_products_code` (`code`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `doctor_products` (
  `id` bigint unsigned AUTO_INCREMENT,
  `doctor_id` bigint unsigned NOT NULL,
  `product_id` bigint unsigned NOT NULL,
  `match` double NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE INDEX `ux_doctor_product` (`doctor_id`,`product_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `signals` (
  `id` bigint unsigned AUTO_INCREMENT,
  `external_id` varchar(128) NOT NULL,
  `doctor_id` bigint unsigned NOT NULL,
  `class` varchar(16) NOT NULL,
  `kind` varchar(32) NOT NULL,
  `value` double NOT NULL,
  `occurred_at` datetime(3) NOT NULL,
  `source` varchar(32),
  `detail` varchar(255),
  `created_at` datetime(3) NULL,
  PRIMARY KEY (`id`),
  INDEX `idx_signals_class` (`class`),
  UNIQUE INDEX `idx_signals_external_id` (`external_id`),
  INDEX `ix_signal_doctor_time` (`doctor_id`,`occurred_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `flow_records` (
  `id` bigint unsigned AUTO_INCREMENT,
  `hospital_id` bigint unsigned NOT NULL,
  `department` varchar(64) NOT NULL,
  `product_id` bigint unsigned NOT NULL,
  `month` varchar(7) NOT NULL,
  `quantity` double NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE INDEX `ux_flow` (`hospital_id`,`department`,`product_id`,`month`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `recommendations` (
  `id` bigint unsigned AUTO_INCREMENT,
  `rep_id` bigint unsigned NOT NULL,
  `day` varchar(10) NOT NULL,
  `doctor_id` bigint unsigned NOT NULL,
  `rank` bigint NOT NULL,
  `kind` varchar(16) NOT NULL,
  `score` double NOT NULL,
  `heat` double NOT NULL,
  `period` varchar(2),
  `distance_m` double,
  `reasons` text,
  `breakdown` text,
  `created_at` datetime(3) NULL,
  PRIMARY KEY (`id`),
  INDEX `ix_rec_rank` (`rep_id`,`day`,`rank`),
  UNIQUE INDEX `ux_rec` (`rep_id`,`day`,`doctor_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `must_visits` (
  `id` bigint unsigned AUTO_INCREMENT,
  `rep_id` bigint unsigned NOT NULL,
  `doctor_id` bigint unsigned NOT NULL,
  `due_day` varchar(10) NOT NULL,
  `source` varchar(16) NOT NULL,
  `note` varchar(255),
  `ref_key` varchar(64),
  `done_at` datetime(3) NULL,
  `created_at` datetime(3) NULL,
  PRIMARY KEY (`id`),
  UNIQUE INDEX `idx_must_visits_ref_key` (`ref_key`),
  INDEX `ix_must` (`rep_id`,`due_day`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `daily_plans` (
  `id` bigint unsigned AUTO_INCREMENT,
  `rep_id` bigint unsigned NOT NULL,
  `day` varchar(10) NOT NULL,
  `accepted_at` datetime(3) NULL,
  PRIMARY KEY (`id`),
  UNIQUE INDEX `ux_plan` (`rep_id`,`day`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `visits` (
  `id` bigint unsigned AUTO_INCREMENT,
  `rep_id` bigint unsigned NOT NULL,
  `doctor_id` bigint unsigned NOT NULL,
  `day` varchar(10) NOT NULL,
  `hospital_id` bigint unsigned NOT NULL,
  `status` varchar(16) NOT NULL,
  `planned` boolean NOT NULL DEFAULT false,
  `skip_reason` varchar(64),
  `check_in_at` datetime(3) NULL,
  `lat` double,
  `lng` double,
  `check_in_hospital_id` bigint unsigned,
  `distance_m` double,
  `verified` boolean NOT NULL DEFAULT false,
  `created_at` datetime(3) NULL,
  `updated_at` datetime(3) NULL,
  PRIMARY KEY (`id`),
  INDEX `idx_visits_day` (`day`),
  INDEX `idx_visits_doctor_id` (`doctor_id`),
  INDEX `idx_visits_rep_id` (`rep_id`),
  UNIQUE INDEX `ux_visit` (`rep_id`,`doctor_id`,`day`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `visit_feedbacks` (
  `id` bigint unsigned AUTO_INCREMENT,
  `visit_id` bigint unsigned NOT NULL,
  `rep_id` bigint unsigned NOT NULL,
  `doctor_id` bigint unsigned NOT NULL,
  `concerns` varchar(255),
  `objection` varchar(32),
  `commitments` varchar(255),
  `follow_up` varchar(16),
  `note` text,
  `quality_score` double,
  `submitted_at` datetime(3) NULL,
  `created_at` datetime(3) NULL,
  PRIMARY KEY (`id`),
  INDEX `idx_visit_feedbacks_doctor_id` (`doctor_id`),
  INDEX `idx_visit_feedbacks_rep_id` (`rep_id`),
  UNIQUE INDEX `idx_visit_feedbacks_visit_id` (`visit_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `alerts` (
  `id` bigint unsigned AUTO_INCREMENT,
  `kind` varchar(32) NOT NULL,
  `subject_key` varchar(64) NOT NULL,
  `doctor_id` bigint unsigned,
  `rep_id` bigint unsigned,
  `manager_id` bigint unsigned,
  `title` varchar(128) NOT NULL,
  `emphasis` varchar(32),
  `reasons` text,
  `status` varchar(16) NOT NULL,
  `snooze_until` datetime(3) NULL,
  `created_at` datetime(3) NULL,
  `updated_at` datetime(3) NULL,
  PRIMARY KEY (`id`),
  INDEX `idx_alerts_doctor_id` (`doctor_id`),
  INDEX `idx_alerts_manager_id` (`manager_id`),
  INDEX `idx_alerts_rep_id` (`rep_id`),
  INDEX `idx_alerts_status` (`status`),
  INDEX `ix_alert_subject` (`kind`,`subject_key`,`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `tier_changes` (
  `id` bigint unsigned AUTO_INCREMENT,
  `doctor_id` bigint unsigned NOT NULL,
  `day` varchar(10) NOT NULL,
  `from_tier` varchar(1),
  `to_tier` varchar(1) NOT NULL,
  `heat` double,
  `rising` boolean NOT NULL DEFAULT false,
  PRIMARY KEY (`id`),
  INDEX `idx_tier_changes_rising` (`rising`),
  UNIQUE INDEX `ux_tier_change` (`doctor_id`,`day`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `outbox_messages` (
  `id` bigint unsigned AUTO_INCREMENT,
  `dedupe_key` varchar(191) NOT NULL,
  `platform` varchar(16) NOT NULL,
  `recipient_id` bigint unsigned NOT NULL,
  `purpose` varchar(32) NOT NULL,
  `kind` varchar(16) NOT NULL,
  `payload` text NOT NULL,
  `status` varchar(16) NOT NULL,
  `next_attempt_at` datetime(3) NOT NULL,
  `attempts` bigint NOT NULL DEFAULT 0,
  `claimed_by` varchar(64),
  `claimed_until` datetime(3) NULL,
  `last_error` varchar(512),
  `msg_id` varchar(128),
  `task_id` varchar(128),
  `sent_at` datetime(3) NULL,
  `created_at` datetime(3) NULL,
  `updated_at` datetime(3) NULL,
  PRIMARY KEY (`id`),
  UNIQUE INDEX `idx_outbox_messages_dedupe_key` (`dedupe_key`),
  INDEX `idx_outbox_messages_recipient_id` (`recipient_id`),
  INDEX `idx_outbox_messages_task_id` (`task_id`),
  INDEX `ix_outbox_ready` (`status`,`next_attempt_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `card_tasks` (
  `id` bigint unsigned AUTO_INCREMENT,
  `task_id` varchar(128) NOT NULL,
  `platform` varchar(16) NOT NULL,
  `user_id` bigint unsigned NOT NULL,
  `kind` varchar(32) NOT NULL,
  `ref_id` bigint unsigned,
  `day` varchar(10),
  `msg_id` varchar(128),
  `response_code` varchar(255),
  `state` varchar(32),
  `card` text,
  `data` text,
  `created_at` datetime(3) NULL,
  `updated_at` datetime(3) NULL,
  PRIMARY KEY (`id`),
  UNIQUE INDEX `idx_card_tasks_task_id` (`task_id`),
  INDEX `idx_card_tasks_user_id` (`user_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `inbound_deliveries` (
  `id` bigint unsigned AUTO_INCREMENT,
  `key` varchar(191) NOT NULL,
  `platform` varchar(16) NOT NULL,
  `kind` varchar(32),
  `received_at` datetime(3) NULL,
  PRIMARY KEY (`id`),
  UNIQUE INDEX `idx_inbound_deliveries_key` (`key`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `raw_events` (
  `id` bigint unsigned AUTO_INCREMENT,
  `platform` varchar(16) NOT NULL,
  `type` varchar(64),
  `body` text,
  `received_at` datetime(3) NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `job_runs` (
  `id` bigint unsigned AUTO_INCREMENT,
  `job` varchar(64) NOT NULL,
  `slot` varchar(32) NOT NULL,
  `replica` varchar(64),
  `outcome` varchar(16) NOT NULL,
  `error` text,
  `detail` text,
  `started_at` datetime(3) NULL,
  `finished_at` datetime(3) NULL,
  PRIMARY KEY (`id`),
  UNIQUE INDEX `ux_job_slot` (`job`,`slot`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `audit_logs` (
  `id` bigint unsigned AUTO_INCREMENT,
  `actor_id` bigint unsigned,
  `action` varchar(64) NOT NULL,
  `target` varchar(128),
  `detail` text,
  `at` datetime(3) NULL,
  PRIMARY KEY (`id`),
  INDEX `idx_audit_logs_action` (`action`),
  INDEX `idx_audit_logs_actor_id` (`actor_id`),
  INDEX `idx_audit_logs_at` (`at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `consents` (
  `id` bigint unsigned AUTO_INCREMENT,
  `user_id` bigint unsigned NOT NULL,
  `kind` varchar(32) NOT NULL,
  `at` datetime(3) NULL,
  PRIMARY KEY (`id`),
  UNIQUE INDEX `ux_consent` (`user_id`,`kind`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `settings` (
  `key` varchar(128),
  `value` text,
  `expires_at` datetime(3) NULL,
  `updated_at` datetime(3) NULL,
  PRIMARY KEY (`key`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `console_messages` (
  `id` bigint unsigned AUTO_INCREMENT,
  `user_id` bigint unsigned NOT NULL,
  `direction` varchar(3) NOT NULL,
  `kind` varchar(16) NOT NULL,
  `body` text,
  `task_id` varchar(128),
  `created_at` datetime(3) NULL,
  PRIMARY KEY (`id`),
  INDEX `idx_console_messages_task_id` (`task_id`),
  INDEX `idx_console_messages_user_id` (`user_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `check_ins` (
  `id` bigint unsigned AUTO_INCREMENT,
  `rep_id` bigint unsigned NOT NULL,
  `day` varchar(10) NOT NULL,
  `at` datetime(3) NULL,
  `lat` double,
  `lng` double,
  `hospital_id` bigint unsigned,
  `distance_m` double,
  `verified` boolean NOT NULL DEFAULT false,
  `on_plan` boolean NOT NULL DEFAULT false,
  `reported` boolean NOT NULL DEFAULT false,
  PRIMARY KEY (`id`),
  INDEX `ix_checkin_rep_day` (`rep_id`,`day`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
