-- Social login (issue 12): the redirect flows in progress and the one-time sign-in codes they end
-- with. Both single use, decided by one UPDATE … RETURNING; secrets are stored only as SHA-256.
CREATE TABLE `oauth_flows` (
	`id` text PRIMARY KEY NOT NULL,
	`state_hash` text NOT NULL,
	`provider` text NOT NULL,
	`code_verifier` text NOT NULL,
	`nonce` text NOT NULL,
	`redirect_to` text NOT NULL,
	`client_code_challenge` text NOT NULL,
	`browser_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`consumed_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `oauth_flows_state_hash_unique` ON `oauth_flows` (`state_hash`);--> statement-breakpoint
CREATE TABLE `oauth_sign_in_codes` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`provider` text NOT NULL,
	`code_challenge` text NOT NULL,
	`redirect_to` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`consumed_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `oauth_sign_in_codes_user_id_idx` ON `oauth_sign_in_codes` (`user_id`);
