-- Users imported from an old server (POST /v1/admin/users/import, issue 15): the old server's user id,
-- unique among users when present (the dialects render it where their documents show the id), and a
-- digest of the imported row (never of a plaintext password or TOTP secret) so the same row imported
-- again is "unchanged" rather than a conflict.
ALTER TABLE `users` ADD `legacy_id` text;
--> statement-breakpoint
ALTER TABLE `users` ADD `import_digest` text;
--> statement-breakpoint
CREATE UNIQUE INDEX `users_legacy_id_idx` ON `users` (`legacy_id`) WHERE `legacy_id` IS NOT NULL;
