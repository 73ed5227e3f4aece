// ISSUER, read once for every section, and the dev-only switches whose rule it decides: DEV_OUTBOX,
// MAIL_PROVIDER=outbox and SMS_PROVIDER=outbox may be on only when ISSUER names this machine.

import * as z from "zod";
import { isLocalIssuer, LOCAL_ISSUER_HOSTS } from "../local-issuer";
import { type Parsed, parseSection } from "./config-error";
import { text, trueOrFalse } from "./env-fields";

const IssuerEnv = z.object({
  ISSUER: z.url({ protocol: /^https?$/ }).refine((value) => !value.endsWith("/"), "must not end with /"),
});

/** What the other sections know of ISSUER. */
export interface IssuerFacts {
  /** Null when unset or invalid: ISSUER's own problem refuses the Worker, the others need not repeat it. */
  url: string | null;
  local: boolean;
}

export function parseIssuerEnv(env: Record<string, unknown>): Parsed<string> {
  const parsed = parseSection(IssuerEnv, env);
  return parsed.ok ? { ok: true, value: parsed.value.ISSUER } : parsed;
}

export function issuerFacts(issuer: Parsed<string>): IssuerFacts {
  const url = issuer.ok ? issuer.value : null;
  return { url, local: isLocalIssuer(url) };
}

/**
 * MAIL_PROVIDER or SMS_PROVIDER: one of `providers`, "outbox" by default on a local issuer. Elsewhere
 * one must be named, and the outbox is refused: a forgotten setting must never keep codes in KV
 * instead of sending them.
 */
export function providerSwitch<const T extends readonly [string, ...string[]]>(providers: T, issuer: IssuerFacts) {
  return text
    .transform((name) => name ?? (issuer.local ? "outbox" : undefined))
    .pipe(
      z.enum(providers, {
        error: (issue) =>
          issue.input === undefined ? "is required when ISSUER is not local" : `must be one of ${providers.join(", ")}`,
      }),
    )
    .refine((provider) => provider !== "outbox" || issuer.url === null || issuer.local, {
      message: `outbox may only be used when ISSUER is local (${LOCAL_ISSUER_HOSTS})`,
    });
}

const DevOutboxEnv = (issuer: IssuerFacts) =>
  z.object({
    DEV_OUTBOX: trueOrFalse("false").refine((on) => !on || issuer.local, {
      message: `may only be true when ISSUER is local (${LOCAL_ISSUER_HOSTS})`,
    }),
  });

/** DEV_OUTBOX: GET /dev/outbox answers, and the dev outboxes print codes and links. Off unless exactly "true". */
export function parseDevOutboxEnv(env: Record<string, unknown>, issuer: IssuerFacts): Parsed<boolean> {
  const parsed = parseSection(DevOutboxEnv(issuer), env);
  return parsed.ok ? { ok: true, value: parsed.value.DEV_OUTBOX } : parsed;
}

/**
 * A provider section (mail or SMS): first the switch variable (`switchName`, one of `providers`),
 * then the fields that provider needs, from `fieldsFor(provider)`. Every problem of both is reported.
 */
export function parseProviderSection<const P extends readonly [string, ...string[]], F>(
  env: Record<string, unknown>,
  issuer: IssuerFacts,
  section: { switchName: string; providers: P; fieldsFor: (provider: P[number] | undefined) => z.ZodType<F> },
): Parsed<{ provider: P[number]; vars: F }> {
  const switchSchema = z.object({ [section.switchName]: providerSwitch(section.providers, issuer) });
  const switched = parseSection(switchSchema, env);
  const provider = switched.ok ? (switched.value[section.switchName] as P[number] | undefined) : undefined;
  const fields = parseSection(section.fieldsFor(provider), env);
  if (!switched.ok || !fields.ok || provider === undefined) {
    return { ok: false, problems: [switched, fields].flatMap((part) => (part.ok ? [] : part.problems)) };
  }
  return { ok: true, value: { provider, vars: fields.value } };
}
