// `--prefilled`: the D1-backed hot paths (login, /v1/me, refresh rotation, code verification) on an
// empty local D1 and on one prefilled with a large deployment's rows (bench/lib/prefill.mjs), in the
// same run and the same bundle, so the ratios say whether cost grows with the tables.

import { COLD_TOKEN_COUNT, coldMeRequest, inTurn, mintSessionTokens } from "./cold-cache.mjs";
import { meRequest, refreshRequest, signUpOne, startEdgeAuth } from "./edge-auth.mjs";
import { measureScenario } from "./load.mjs";
import { PREFILL_DEFAULTS, prefilledSessionId, prefilledUserId, prefillLocalDatabase } from "./prefill.mjs";
import { BENCH_PASSWORD, callJson, jsonRequest, mapLimited, SingleUsePool } from "./traffic.mjs";

const round = (value) => (Number.isFinite(value) ? Number(value.toFixed(3)) : null);

/** A fresh verification code for each account, read from the dev outbox as a user reads their mail. */
async function issueCodes(origin, emails) {
  const requests = await mapLimited(emails, 5, async (email) => {
    const { body } = await callJson(origin, "POST", "/v1/email/verify/resend", { json: { email } });
    return { email, requestId: body.otp_request_id };
  });
  // Resend mails after its answer; give the deferred sends a moment to land.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const { body } = await callJson(origin, "GET", "/dev/outbox", { headers: { accept: "application/json" } });
  const codes = new Map();
  for (const message of body.messages ?? []) {
    if (message.kind === "verify_email" && message.code && !codes.has(message.to)) codes.set(message.to, message.code);
  }
  return requests
    .filter(({ email }) => codes.has(email))
    .map(({ email, requestId }) => ({ otp_request_id: requestId, code: codes.get(email) }));
}

/** The four hot paths on one server; `label` names the database. */
async function hotPaths(server, label, options, counts) {
  const run = (scenario) => measureScenario({ origin: server.origin, devPid: server.pid, ...scenario });
  const accounts = await mapLimited(Array.from({ length: options.hashRequests }), 2, (_, index) =>
    signUpOne(server.origin, `${label}-${index}`),
  );
  const emails = new SingleUsePool(accounts.map((account) => account.email));
  const refreshTokens = new SingleUsePool(accounts.map((account) => account.refreshToken));
  const scenarios = {};
  scenarios.login = await run({
    name: `POST /v1/login (${label})`,
    requests: [
      jsonRequest("POST", "/v1/login", () => ({
        email: emails.take("nobody@bench.example.com"),
        password: BENCH_PASSWORD,
      })),
    ],
    amount: Math.max(1, accounts.length - 10),
    timeoutSeconds: 120,
  });
  scenarios.me = await run({
    name: `GET /v1/me (${label})`,
    requests: [meRequest(accounts[0].accessToken)],
    durationSeconds: options.durationSeconds,
  });
  if (label === "prefilled") {
    // The worst case on the large database: each request a different prefilled session and user.
    const count = Math.min(COLD_TOKEN_COUNT, counts.users, counts.sessions);
    const tokens = await mintSessionTokens(accounts[0].accessToken, count, {
      subjectOf: (n) => prefilledUserId(n + 1),
      sessionOf: (n) => prefilledSessionId(n + 1),
    });
    scenarios.me_cold = await run({
      name: "GET /v1/me (prefilled, cold: a new session and user each request)",
      requests: [coldMeRequest(inTurn(tokens))],
      durationSeconds: options.durationSeconds,
    });
  }
  scenarios.refresh = await run({
    name: `POST /v1/token/refresh (${label})`,
    requests: [refreshRequest(refreshTokens)],
    durationSeconds: options.durationSeconds,
  });
  const codes = new SingleUsePool(
    await issueCodes(
      server.origin,
      accounts.map((account) => account.email),
    ),
  );
  scenarios.code_verification = await run({
    name: `POST /v1/email/verify (${label})`,
    requests: [jsonRequest("POST", "/v1/email/verify", () => codes.take({ otp_request_id: "spent", code: "000000" }))],
    amount: Math.max(1, codes.size - 10),
    timeoutSeconds: 60,
  });
  return scenarios;
}

/** Prefilled over empty, per scenario: throughput (want ≥ 1/1.2) and CPU per request (want ≤ 1.2). */
function ratiosOf(empty, prefilled) {
  return Object.fromEntries(
    Object.keys(empty)
      .filter((name) => prefilled[name])
      .map((name) => [
        name,
        {
          cpu_prefilled_over_empty: round(
            prefilled[name].cpu_ms_per_request.workerd / empty[name].cpu_ms_per_request.workerd,
          ),
          p50_prefilled_over_empty: round(prefilled[name].latency_ms.p50 / empty[name].latency_ms.p50),
          throughput_empty_over_prefilled: round(empty[name].req_per_s / prefilled[name].req_per_s),
        },
      ]),
  );
}

export async function benchPrefilled(options) {
  const counts = options.prefillCounts ?? PREFILL_DEFAULTS;
  const results = {};
  for (const label of ["empty", "prefilled"]) {
    const server = await startEdgeAuth({
      label: `db-${label}`,
      prebuiltEntry: options.prebuiltEntry,
      beforeStart:
        label === "prefilled"
          ? async (persistTo) => {
              results.prefill = await prefillLocalDatabase({ persistTo, counts });
              console.log(`  prefilled ${JSON.stringify(results.prefill)}`);
            }
          : undefined,
    });
    console.log(`edge-auth on the ${label} D1 on ${server.origin}`);
    try {
      results[label] = await hotPaths(server, label, options, counts);
    } finally {
      await server.stop();
    }
  }
  results.ratios = ratiosOf(results.empty, results.prefilled);
  return results;
}
