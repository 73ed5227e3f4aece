// The dev outbox as the dev-only page reads it: the newest captured mail and SMS, or nothing at all
// unless DEV_OUTBOX is on (which config allows only on a local ISSUER).

import { listOutbox, type OutboxEntry } from "../storage/kv/outbox-store";
import type { ServiceContext } from "./context";

export type { OutboxEntry };

/** Undefined when the outbox is off: the page must then not exist (404). */
export async function readDevOutbox(
  context: ServiceContext,
  limit: number | undefined,
): Promise<OutboxEntry[] | undefined> {
  if (!context.config.devOutbox) return undefined;
  return listOutbox(context.kv, limit);
}
