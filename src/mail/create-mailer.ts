// Picks the Mailer that MailConfig names. The only place that knows every adapter.

import { ConfigError } from "../config";
import { createDevOutboxMailer } from "./dev-outbox";
import type { MailConfig } from "./mail-config";
import type { Mailer } from "./mailer";
import { createMailgunMailer } from "./mailgun-mailer";
import { createPostmarkMailer } from "./postmark-mailer";
import { createResendMailer } from "./resend-mailer";
import { createSendgridMailer } from "./sendgrid-mailer";

export function createMailer(config: MailConfig, deps: { fetch: typeof fetch; kv: KVNamespace }): Mailer {
  if (config.provider === "outbox") return createDevOutboxMailer({ kv: deps.kv, printSecrets: config.devOutbox });
  // parseMailConfig guarantees a key for every real provider; this only satisfies the type.
  if (!config.apiKey) throw new ConfigError("MAIL_API_KEY is required unless MAIL_PROVIDER is outbox");
  // workerd's fetch throws "Illegal invocation" when `this` is another object (deps): call it on globalThis.
  const fetchOutbound: typeof fetch = (input, init) => deps.fetch.call(globalThis, input, init);
  const options = { apiKey: config.apiKey, from: config.from, timeoutMs: config.timeoutMs, fetch: fetchOutbound };
  switch (config.provider) {
    case "resend":
      return createResendMailer(options);
    case "postmark":
      return createPostmarkMailer(options);
    case "sendgrid":
      return createSendgridMailer(options);
    case "mailgun": {
      if (!config.mailgunDomain) throw new ConfigError("MAILGUN_DOMAIN is required for MAIL_PROVIDER mailgun");
      return createMailgunMailer({ ...options, domain: config.mailgunDomain, region: config.mailgunRegion });
    }
  }
}
