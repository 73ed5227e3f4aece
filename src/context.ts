// The composition root: env → Config, keys, stores → ServiceContext. Parsing config and importing
// keys costs crypto work, so the result is kept per env object (one per isolate); it is derived,
// immutable state, never per-request data.

import type { Bindings } from "./bindings";
import { ConfigError, parseConfig } from "./config";
import { importApiKeyHashKey } from "./crypto/api-key-format";
import { importCodeHashKey } from "./crypto/one-time-code";
import { importSecretBoxKey } from "./crypto/secret-box";
import { importKeySet } from "./crypto/signing-keys";
import { createMailer, type MailerDeps } from "./mail/create-mailer";
import type { ServiceContext } from "./services/context";
import { createSmsSender, type SmsSenderDeps } from "./sms/create-sms-sender";
import { createDatabase } from "./storage/database";

const contexts = new WeakMap<Bindings, Promise<ServiceContext>>();

export function getServiceContext(env: Bindings): Promise<ServiceContext> {
  let context = contexts.get(env);
  if (!context) {
    context = buildServiceContext(env);
    contexts.set(env, context);
    context.catch(() => contexts.delete(env));
  }
  return context;
}

async function buildServiceContext(env: Bindings): Promise<ServiceContext> {
  const config = parseConfig(env as unknown as Record<string, unknown>);
  const keys = await importKeySet(config.signingKeys).catch((error: unknown) => {
    const detail = error instanceof Error ? error.message : "a key cannot be imported";
    throw new ConfigError(`invalid configuration: SIGNING_KEYS ${detail}`, { cause: error });
  });
  const outbound: MailerDeps & SmsSenderDeps = {
    // Looked up at call time, so tests that intercept outbound fetch see every request.
    fetch: (input, init) => fetch(input, init),
    kv: env.KV,
    // DEV_OUTBOX: the dev outboxes may print codes and links (config allows it on a local issuer only).
    printSecrets: config.devOutbox,
  };
  return {
    config,
    keys,
    otpKey: await importCodeHashKey(config.otpSecret),
    apiKeyHashKey: await importApiKeyHashKey(config.apiKeySecret),
    totpKey: await importSecretBoxKey(config.totpEncryptionKey),
    mail: config.mail,
    mailer: createMailer(config.mail, outbound),
    sms: config.sms,
    smsSender: createSmsSender(config.sms, outbound),
    db: createDatabase(env.DB),
    kv: env.KV,
    rateLimiters: {
      ip: env.RATE_LIMIT_IP,
      mail: env.RATE_LIMIT_MAIL,
      identifier: env.RATE_LIMIT_IDENTIFIER,
      apiKey: env.RATE_LIMIT_API_KEY,
    },
    now: () => Math.floor(Date.now() / 1000),
  };
}
