CREATE TABLE `security_events` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`type` text NOT NULL,
	`subject_user_id` text,
	`actor_user_id` text,
	`actor_key_id` text,
	`org_id` text,
	`ip` text,
	`user_agent` text,
	`detail` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `security_events_subject_idx` ON `security_events` (`subject_user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `security_events_org_idx` ON `security_events` (`org_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `security_events_created_at_idx` ON `security_events` (`created_at`,`id`);
