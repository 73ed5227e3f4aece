// The security event log's section of Config: SECURITY_EVENT_RETENTION_DAYS, how long an event is
// kept before the scheduled cleanup deletes it (default 90 days, 1..3650; anything else refuses the
// Worker rather than keeping events forever or deleting them at once).

import * as z from "zod";
import { type Parsed, parseSection } from "./config-error";
import { wholeNumber } from "./env-fields";

export const DEFAULT_SECURITY_EVENT_RETENTION_DAYS = 90;

const SecurityEventsEnv = z.object({
  SECURITY_EVENT_RETENTION_DAYS: wholeNumber(1, 3650, DEFAULT_SECURITY_EVENT_RETENTION_DAYS),
});

export interface SecurityEventsConfig {
  retentionDays: number;
}

export function parseSecurityEventsEnv(env: Record<string, unknown>): Parsed<SecurityEventsConfig> {
  const parsed = parseSection(SecurityEventsEnv, env);
  return parsed.ok ? { ok: true, value: { retentionDays: parsed.value.SECURITY_EVENT_RETENTION_DAYS } } : parsed;
}
