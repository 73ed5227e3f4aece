// The composition root: env → Config, keys, stores → ServiceContext. Parsing config and importing
// keys costs crypto work, so the result is kept per env object (one per isolate); it is derived,
// immutable state, never per-request data.

import type { Bindings } from "./bindings";
import { ConfigError, parseConfig } from "./config";
import { importKeySet } from "./crypto/signing-keys";
import type { ServiceContext } from "./services/context";
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
  return {
    config,
    keys,
    db: createDatabase(env.DB),
    kv: env.KV,
    now: () => Math.floor(Date.now() / 1000),
  };
}
