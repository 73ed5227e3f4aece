// Refresh-token rotation (POST /v1/token/refresh): a new pair per use, reuse revoking the family, the grace
// window for a lost response, concurrent refreshes, idle and absolute expiry, and non-rotating sessions.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { refresh, signUp, type TokenPair } from "./support/accounts";
import { call, readJson } from "./support/http";

async function sessionRow(userId: string) {
  return env.DB.prepare("select * from sessions where user_id = ?")
    .bind(userId)
    .first<Record<string, number | string | null>>();
}

describe("POST /v1/token/refresh", () => {
  it("rotates: answers a new pair and the old refresh token no longer refreshes", async () => {
    const account = await signUp();
    const response = await refresh(account.tokens.refresh_token);
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const next = await readJson<TokenPair>(response);
    expect(next.refresh_token).not.toBe(account.tokens.refresh_token);
    expect(next.access_token).not.toBe(account.tokens.access_token);
    const again = await refresh(next.refresh_token);
    expect(again.status).toBe(200);
    const generations = await env.DB.prepare(
      "select generation from refresh_tokens where session_id = (select id from sessions where user_id = ?) order by generation",
    )
      .bind(account.userId)
      .all<{ generation: number }>();
    expect(generations.results.map((row) => row.generation)).toEqual([0, 1, 2]);
  });

  it("revokes the whole family when a rotated refresh token is reused after the grace window", async () => {
    const account = await signUp();
    const next = await readJson<TokenPair>(await refresh(account.tokens.refresh_token));
    // Move the rotation out of the 30 s grace window.
    await env.DB.prepare("update refresh_tokens set rotated_at = rotated_at - 31 where rotated_at is not null").run();

    const reused = await refresh(account.tokens.refresh_token);
    expect(reused.status).toBe(401);
    expect(await readJson(reused)).toMatchObject({ code: "invalid_refresh_token" });
    expect((await sessionRow(account.userId))?.revoke_reason).toBe("refresh_token_reuse");

    const successor = await refresh(next.refresh_token);
    expect(successor.status).toBe(401);
    const verify = await call("POST", "/v1/token/verify", { json: { token: next.access_token } });
    expect(await readJson(verify)).toEqual({ active: false });
  });

  it("revokes the family when an older ancestor comes back even if the successor was used", async () => {
    const account = await signUp();
    const second = await readJson<TokenPair>(await refresh(account.tokens.refresh_token));
    const third = await readJson<TokenPair>(await refresh(second.refresh_token));
    const reused = await refresh(account.tokens.refresh_token);
    expect(reused.status).toBe(401);
    expect((await refresh(third.refresh_token)).status).toBe(401);
  });

  it("answers a lost response within the grace window with the same successor, and nothing new", async () => {
    const account = await signUp();
    const first = await readJson<TokenPair>(await refresh(account.tokens.refresh_token));
    const retried = await readJson<TokenPair>(await refresh(account.tokens.refresh_token));
    expect(retried.refresh_token).toBe(first.refresh_token);
    const count = await env.DB.prepare(
      "select count(*) as n from refresh_tokens where session_id = (select id from sessions where user_id = ?)",
    )
      .bind(account.userId)
      .first<{ n: number }>();
    expect(count?.n).toBe(2);
    expect((await refresh(first.refresh_token)).status).toBe(200);
  });

  it("lets concurrent refreshes with one token create exactly one new family member", async () => {
    const account = await signUp();
    const responses = await Promise.all(Array.from({ length: 8 }, () => refresh(account.tokens.refresh_token)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.every((status) => status === 200)).toBe(true);
    const tokens = new Set(
      await Promise.all(responses.map(async (response) => (await readJson<TokenPair>(response)).refresh_token)),
    );
    expect(tokens.size).toBe(1);
    const rows = await env.DB.prepare(
      "select generation from refresh_tokens where session_id = (select id from sessions where user_id = ?)",
    )
      .bind(account.userId)
      .all<{ generation: number }>();
    expect(rows.results.map((row) => row.generation).sort()).toEqual([0, 1]);
  });

  it("refuses a refresh token once its successor has been used, even inside the grace window", async () => {
    const account = await signUp();
    const next = await readJson<TokenPair>(await refresh(account.tokens.refresh_token));
    expect((await refresh(next.refresh_token)).status).toBe(200);
    expect((await refresh(account.tokens.refresh_token)).status).toBe(401);
    expect((await sessionRow(account.userId))?.revoked_at).not.toBeNull();
  });

  it("refuses refresh after the idle timeout and after the absolute lifetime", async () => {
    const idle = await signUp();
    await env.DB.prepare("update sessions set last_used_at = last_used_at - 1209601 where user_id = ?")
      .bind(idle.userId)
      .run();
    expect((await refresh(idle.tokens.refresh_token)).status).toBe(401);

    const old = await signUp();
    await env.DB.prepare("update sessions set expires_at = 1 where user_id = ?").bind(old.userId).run();
    const response = await refresh(old.tokens.refresh_token);
    expect(response.status).toBe(401);
    expect(await readJson(response)).toMatchObject({ code: "invalid_refresh_token" });
  });

  it("refuses unknown, empty-looking and oversized refresh tokens with 4xx", async () => {
    expect((await refresh("not-a-real-token")).status).toBe(401);
    expect((await refresh("x".repeat(600))).status).toBe(400);
    const missing = await call("POST", "/v1/token/refresh", { json: {} });
    expect(missing.status).toBe(400);
    expect(await readJson(missing)).toMatchObject({ code: "invalid_request", errors: [{ field: "refresh_token" }] });
  });

  it("refuses refresh of a disabled account", async () => {
    const account = await signUp();
    await env.DB.prepare("update users set disabled_at = 1 where id = ?").bind(account.userId).run();
    expect((await refresh(account.tokens.refresh_token)).status).toBe(401);
  });

  it("keeps the refresh token of a non-rotating session and answers a new access token", async () => {
    const account = await signUp();
    await env.DB.prepare("update sessions set rotates_refresh_token = 0 where user_id = ?").bind(account.userId).run();
    const response = await refresh(account.tokens.refresh_token);
    expect(response.status).toBe(200);
    const body = await readJson<TokenPair>(response);
    expect(body.refresh_token).toBe(account.tokens.refresh_token);
    expect(body.access_token).not.toBe(account.tokens.access_token);
  });
});
