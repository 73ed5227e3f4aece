// The security events of second factors, worded alike by every service that adds or removes one:
// the factor's kind (totp, sms, recovery_codes), never a secret, a code or a phone number.

import type { RequestScope, ServiceContext } from "./context";
import { recordSecurityEvent } from "./security-events";

export type FactorKind = "totp" | "sms" | "recovery_codes";

/** The account's owner changed one of its factors (today the only actor for these). */
export function recordFactorChange(
  context: ServiceContext,
  scope: RequestScope | undefined,
  userId: string,
  type: "factor_added" | "factor_removed",
  factor: FactorKind,
  extra: Record<string, string | number | boolean> = {},
): void {
  recordSecurityEvent(context, scope, {
    type,
    subjectUserId: userId,
    actorUserId: userId,
    detail: { factor, ...extra },
  });
}
