// Picks the Mailer that MailConfig names. The only place that knows every adapter.

import { ConfigError, type MailConfig } from "../config";
import { createDevOutboxMailer } from "./dev-outbox";
import type { Mailer } from "./mailer";
import { createMailgunMailer } from "./mailgun-mailer";
import { createPostmarkMailer } from "./postmark-mailer";
import { createResendMailer } from "./resend-mailer";
import { createSendgridMailer } from "./sendgrid-mailer";

export interface MailerDeps {
  fetch: typeof fetch;
  kv: KVNamespace;
  /** The outbox prints codes and links only when DEV_OUTBOX is on (config allows it on a local issuer only). */
  printSecrets: boolean;
}

export function createMailer(config: MailConfig, deps: MailerDeps): Mailer {
  if (config.provider === "outbox") return createDevOutboxMailer({ kv: deps.kv, printSecrets: deps.printSecrets });
  // Config requires a key for every real provider; this only satisfies the type.
  if (!config.apiKey) throw new ConfigError("MAIL_API_KEY is required unless MAIL_PROVIDER is outbox");
  const options = { apiKey: config.apiKey, from: config.from, timeoutMs: config.timeoutMs, fetch: deps.fetch };
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
