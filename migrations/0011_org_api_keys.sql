-- Organization-owned API keys (issue 14): a key is owned by exactly one user or one organization, and
-- an organization's key outlives the member who made it (`created_by`, set null when their account is
-- deleted). SQLite cannot relax NOT NULL in place, so the table is rebuilt (no table references
-- api_keys, so dropping the old one deletes nothing else). Existing keys are users' keys, made by
-- their owners. D1 enforces foreign keys in every migration; deferring them to the commit is what it
-- allows instead of `PRAGMA foreign_keys=OFF`.
PRAGMA defer_foreign_keys = on;--> statement-breakpoint
CREATE TABLE `__new_api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`organization_id` text,
	`created_by` text,
	`name` text NOT NULL,
	`scopes` text NOT NULL,
	`prefix` text NOT NULL,
	`secret_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`revoked_at` integer,
	`last_used_at` integer,
	`predecessor_id` text,
	`successor_id` text,
	`grace_ends_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "api_keys_one_owner" CHECK((`user_id` is null) <> (`organization_id` is null))
);
--> statement-breakpoint
INSERT INTO `__new_api_keys`("id", "user_id", "organization_id", "created_by", "name", "scopes", "prefix", "secret_hash", "created_at", "expires_at", "revoked_at", "last_used_at", "predecessor_id", "successor_id", "grace_ends_at") SELECT "id", "user_id", NULL, "user_id", "name", "scopes", "prefix", "secret_hash", "created_at", "expires_at", "revoked_at", "last_used_at", "predecessor_id", "successor_id", "grace_ends_at" FROM `api_keys`;--> statement-breakpoint
DROP TABLE `api_keys`;--> statement-breakpoint
ALTER TABLE `__new_api_keys` RENAME TO `api_keys`;--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_secret_hash_unique` ON `api_keys` (`secret_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_user_id_idx` ON `api_keys` (`user_id`);--> statement-breakpoint
CREATE INDEX `api_keys_organization_id_idx` ON `api_keys` (`organization_id`) WHERE "api_keys"."organization_id" is not null;--> statement-breakpoint
CREATE INDEX `api_keys_created_by_idx` ON `api_keys` (`created_by`) WHERE "api_keys"."created_by" is not null;
