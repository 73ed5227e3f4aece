// Using a key: as Bearer or X-API-Key on POST /v1/token/verify (scope `verify`); one answer for
// every dead key; 403 without the scope; last_used_at written at most once per 5 minutes, after the
// response; the per-key rate limit; and RPC's verifyApiKey.
import { env, exports } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp } from "./support/accounts";
import { accountWithKey, createKey, keyRow, unknownKey, verifyWithKey } from "./support/api-keys";
import { advanceClock, freezeClock } from "./support/clock";
import { call, callWith, expectProblem, readJson } from "./support/http";

/** Every row write of last_used_at lands here, by a trigger: what the test counts. */
beforeAll(async () => {
  await env.DB.exec("CREATE TABLE IF NOT EXISTS last_used_writes (key_id TEXT);");
  await env.DB.exec(
    "CREATE TRIGGER IF NOT EXISTS count_last_used AFTER UPDATE OF last_used_at ON api_keys BEGIN INSERT INTO last_used_writes VALUES (new.id); END;",
  );
});
afterAll(async () => {
  await env.DB.exec("DROP TRIGGER IF EXISTS count_last_used;");
});

async function writesOf(id: string): Promise<number> {
  const row = await env.DB.prepare("select count(*) as n from last_used_writes where key_id = ?")
    .bind(id)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** The parts of a refusal a caller can compare: status, the challenge and the body. */
async function refusal(response: Response) {
  return { status: response.status, challenge: response.headers.get("WWW-Authenticate"), body: await response.json() };
}

describe("POST /v1/token/verify with an API key", () => {
  it("accepts the key as Bearer or in X-API-Key, and still answers callers without a key", async () => {
    const { account, key } = await accountWithKey();
    const token = account.tokens.access_token;
    for (const via of ["bearer", "header"] as const) {
      const response = await verifyWithKey(key.api_key, token, via);
      expect(response.status).toBe(200);
      expect(await readJson(response)).toMatchObject({ active: true, sub: account.userId });
    }
    expect(await readJson(await call("POST", "/v1/token/verify", { json: { token } }))).toMatchObject({ active: true });
  });

  it("answers revoked, expired, unknown, mistyped keys and keys of disabled accounts with the same 401", {
    timeout: 20_000,
  }, async () => {
    freezeClock();
    const { account, key: revoked } = await accountWithKey();
    const token = account.tokens.access_token;
    await call("DELETE", `/v1/keys/${revoked.id}`, { token });
    const expired = await createKey(account, { expires_in: 60 });
    const disabled = await accountWithKey();
    await exports.AuthService.disableUser(disabled.account.userId);
    const good = await createKey(account);
    const typo = `${good.api_key.slice(0, 20)}${good.api_key[20] === "a" ? "b" : "a"}${good.api_key.slice(21)}`;
    advanceClock(60);
    const keys = [revoked.api_key, expired.api_key, await unknownKey(), typo, disabled.key.api_key, "ea_sk_short"];
    const answers = await Promise.all([
      ...keys.map(async (key) => refusal(await verifyWithKey(key, token))),
      ...keys.slice(0, 2).map(async (key) => refusal(await verifyWithKey(key, token, "header"))),
    ]);
    expect(answers[0]).toMatchObject({ status: 401, body: { code: "invalid_api_key" } });
    expect(answers[0]?.challenge).toMatch(/^Bearer .*error="invalid_token"/);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect((await verifyWithKey(good.api_key, token)).status).toBe(200);
  });

  it("refuses a key without the verify scope with 403 insufficient_scope", async () => {
    const { account, key } = await accountWithKey(["nap"]);
    const response = await verifyWithKey(key.api_key, account.tokens.access_token);
    expect(response.headers.get("WWW-Authenticate")).toMatch(/error="insufficient_scope"/);
    await expectProblem(response, 403, "insufficient_scope");
  });

  it("refuses an oversized X-API-Key like any unknown key", async () => {
    const { account } = await accountWithKey();
    const response = await verifyWithKey("ea_sk_".padEnd(5000, "a"), account.tokens.access_token, "header");
    await expectProblem(response, 401, "invalid_api_key");
  });

  it("answers 429 once the key's own limit (RATE_LIMIT_API_KEY) is spent", async () => {
    const { account, key } = await accountWithKey();
    const spent = { ...env, RATE_LIMIT_API_KEY: { limit: async () => ({ success: false }) } };
    const response = await callWith(spent, "POST", "/v1/token/verify", {
      token: key.api_key,
      json: { token: account.tokens.access_token },
    });
    await expectProblem(response, 429, "rate_limited");
    expect(response.headers.get("Retry-After")).toBe("60");
  });
});

describe("last_used_at", () => {
  it("is written once for 50 parallel uses, after the responses; again only 5 minutes later", {
    timeout: 20_000,
  }, async () => {
    const start = freezeClock();
    const { account, key } = await accountWithKey();
    const json = { token: account.tokens.access_token };
    const use = () => callWith(env, "POST", "/v1/token/verify", { token: key.api_key, json });
    const answers = await Promise.all(Array.from({ length: 50 }, use));
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200));
    expect(await writesOf(key.id)).toBe(1);
    expect(await keyRow(key.id)).toMatchObject({ last_used_at: start });

    advanceClock(299);
    await Promise.all(Array.from({ length: 10 }, use));
    expect(await writesOf(key.id)).toBe(1);
    advanceClock(1);
    await Promise.all(Array.from({ length: 10 }, use));
    expect(await writesOf(key.id)).toBe(2);
    expect(await keyRow(key.id)).toMatchObject({ last_used_at: start + 300 });
  });
});

describe("RPC verifyApiKey", () => {
  it("answers the key and its owner, never the secret; dead and mistyped keys answer invalid_api_key", async () => {
    const { account, key } = await accountWithKey(["verify", "nap"]);
    const result = await exports.AuthService.verifyApiKey(key.api_key);
    expect(result).toMatchObject({
      valid: true,
      key: { id: key.id, scopes: ["verify", "nap"], prefix: key.prefix },
      user: { id: account.userId, email: account.email },
    });
    expect(JSON.stringify(result)).not.toContain(key.api_key);
    await call("DELETE", `/v1/keys/${key.id}`, { token: account.tokens.access_token });
    for (const dead of [key.api_key, await unknownKey(), "ea_sk_nope", 42 as unknown as string]) {
      expect(await exports.AuthService.verifyApiKey(dead)).toEqual({ valid: false, code: "invalid_api_key" });
    }
  });

  it("answers a key of another account holder as that holder's, not the caller's", async () => {
    const other = await signUp();
    const key = await createKey(other, { scopes: ["nap"] });
    expect(await exports.AuthService.verifyApiKey(key.api_key)).toMatchObject({ user: { id: other.userId } });
  });
});
