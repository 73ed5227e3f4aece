// Picks the SmsSender that SmsConfig names. The only place that knows every adapter.

import { ConfigError, type SmsConfig } from "../config";
import { createDevOutboxSmsSender } from "./dev-outbox-sms";
import type { SmsSender } from "./sms-sender";
import { createTwilioSmsSender } from "./twilio-sms";
import { createVonageSmsSender } from "./vonage-sms";

/** SMS_PROVIDER=none: every send fails as unavailable, so callers answer 503 sms_unavailable. */
const NO_SMS: SmsSender = { send: async () => ({ ok: false, failure: "unavailable", retryable: false }) };

export interface SmsSenderDeps {
  fetch: typeof fetch;
  kv: KVNamespace;
  /** The outbox prints codes only when DEV_OUTBOX is on (config allows it on a local issuer only). */
  printSecrets: boolean;
}

export function createSmsSender(config: SmsConfig, deps: SmsSenderDeps): SmsSender {
  if (config.provider === "outbox") return createDevOutboxSmsSender({ kv: deps.kv, printSecrets: deps.printSecrets });
  if (config.provider === "none") return NO_SMS;
  // Config requires a sender and credentials for every real provider; this only satisfies the type.
  if (!config.from) throw new ConfigError("SMS_FROM is required for this SMS_PROVIDER");
  const common = { from: config.from, timeoutMs: config.timeoutMs, fetch: deps.fetch };
  if (config.provider === "twilio") {
    if (!config.twilio) throw new ConfigError("TWILIO_ACCOUNT_SID is required for SMS_PROVIDER twilio");
    return createTwilioSmsSender({ ...common, ...config.twilio });
  }
  if (!config.vonage) throw new ConfigError("VONAGE_API_KEY is required for SMS_PROVIDER vonage");
  return createVonageSmsSender({ ...common, ...config.vonage });
}
