CREATE TABLE `code_failures` (
	`user_id` text NOT NULL,
	`purpose` text NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`window_started_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `purpose`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- drizzle-kit omits the ON DELETE clause from ALTER TABLE; the snapshot and schema.ts say cascade.
ALTER TABLE `one_time_codes` ADD `session_id` text REFERENCES sessions(id) ON DELETE cascade;--> statement-breakpoint
CREATE INDEX `one_time_codes_session_id_idx` ON `one_time_codes` (`session_id`);