-- Sign-in flows (issue 13): a login that passed its first factor and still has something due (the
-- choice of an organization, then maybe a second factor). The id is 256 random bits, stored only as
-- its SHA-256; 10 minutes; consumed once by one UPDATE … RETURNING. An MFA challenge may carry the
-- organization chosen in a flow, so the session it opens starts scoped to it. Hand-written; mirrored
-- in src/storage/schema.ts.
CREATE TABLE `sign_in_flows` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`user_id` text NOT NULL,
	`due` text NOT NULL,
	`mfa_methods` text DEFAULT '[]' NOT NULL,
	`amr` text NOT NULL,
	`rotates_refresh_token` integer DEFAULT true NOT NULL,
	`return_to` text,
	`user_agent` text,
	`ip` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`consumed_at` integer,
	`organization_id` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sign_in_flows_token_hash_unique` ON `sign_in_flows` (`token_hash`);
--> statement-breakpoint
CREATE INDEX `sign_in_flows_user_id_idx` ON `sign_in_flows` (`user_id`);
--> statement-breakpoint
ALTER TABLE `mfa_challenges` ADD `organization_id` text;
