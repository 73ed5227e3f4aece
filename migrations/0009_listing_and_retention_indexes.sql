-- The admin API lists users by creation time, newest first, paged by (created_at, id): an index
-- search instead of a scan of every user.
CREATE INDEX `users_created_at_idx` ON `users` (`created_at`,`id`);--> statement-breakpoint
-- The scheduled cleanup finds spent social-login flows and sign-in codes by their expiry.
CREATE INDEX `oauth_flows_expires_at_idx` ON `oauth_flows` (`expires_at`);--> statement-breakpoint
CREATE INDEX `oauth_sign_in_codes_expires_at_idx` ON `oauth_sign_in_codes` (`expires_at`);
