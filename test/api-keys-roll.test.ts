// Rolling a key: a successor now, the old key working until the grace the caller chose ends (at most
// 7 days), then not; and expiry, with the clock moved instead of waited for.
import { describe, expect, it } from "vitest";
import { accountWithKey, createKey, type IssuedKey, keyRow, verifyWithKey } from "./support/api-keys";
import { advanceClock, freezeClock } from "./support/clock";
import { call, expectProblem, readJson } from "./support/http";

async function roll(token: string, id: string, json: unknown = { grace_seconds: 3600 }): Promise<Response> {
  return call("POST", `/v1/keys/${id}/roll`, { token, json });
}

describe("POST /v1/keys/{id}/roll", () => {
  it("answers a successor shown once; the old key works until the grace ends, then only the successor", async () => {
    const start = freezeClock();
    const { account, key } = await accountWithKey(["verify", "nap"]);
    const token = account.tokens.access_token;
    const response = await roll(token, key.id);
    expect(response.status).toBe(201);
    const successor = await readJson<IssuedKey>(response);
    expect(successor).toMatchObject({ name: key.name, scopes: ["verify", "nap"], predecessor_id: key.id });
    expect(successor.api_key).not.toBe(key.api_key);
    expect(await keyRow(key.id)).toMatchObject({ successor_id: successor.id, grace_ends_at: start + 3600 });

    const listed = await readJson<{ keys: IssuedKey[] }>(await call("GET", "/v1/keys", { token }));
    expect(listed.keys.find((item) => item.id === key.id)?.grace_ends_at).toBe(
      new Date((start + 3600) * 1000).toISOString(),
    );

    advanceClock(3599);
    const refreshed = await call("POST", "/v1/token/refresh", {
      json: { refresh_token: account.tokens.refresh_token },
    });
    const fresh = (await readJson(refreshed)).access_token as string;
    expect((await verifyWithKey(key.api_key, fresh)).status).toBe(200);
    expect((await verifyWithKey(successor.api_key, fresh)).status).toBe(200);
    advanceClock(1);
    await expectProblem(await verifyWithKey(key.api_key, fresh), 401, "invalid_api_key");
    expect((await verifyWithKey(successor.api_key, fresh)).status).toBe(200);
    const after = await readJson<{ keys: IssuedKey[] }>(await call("GET", "/v1/keys", { token: fresh }));
    expect(after.keys.map((item) => item.id)).toEqual([successor.id]);
  });

  it("with grace_seconds 0 stops the old key at once", async () => {
    const { account, key } = await accountWithKey();
    const token = account.tokens.access_token;
    const successor = await readJson<IssuedKey>(await roll(token, key.id, { grace_seconds: 0 }));
    await expectProblem(await verifyWithKey(key.api_key, token), 401, "invalid_api_key");
    expect((await verifyWithKey(successor.api_key, token)).status).toBe(200);
  });

  it("rolls a key once (409 api_key_rolled after), then its successor; parallel rolls have one winner", async () => {
    const { account, key } = await accountWithKey();
    const token = account.tokens.access_token;
    const answers = await Promise.all(Array.from({ length: 5 }, () => roll(token, key.id)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409]);
    const winner = await readJson<IssuedKey>(answers.find((answer) => answer.status === 201) as Response);
    await expectProblem(await roll(token, key.id), 409, "api_key_rolled");
    expect(await keyRow(key.id)).toMatchObject({ successor_id: winner.id });
    const next = await readJson<IssuedKey>(await roll(token, winner.id));
    expect(next.predecessor_id).toBe(winner.id);
    const listed = await readJson<{ keys: IssuedKey[] }>(await call("GET", "/v1/keys", { token }));
    expect(listed.keys).toHaveLength(3);
  });

  it.each([[{ grace_seconds: 604_801 }], [{ grace_seconds: -1 }], [{}], [{ grace_seconds: "60" }]])(
    "refuses %j with 400 naming grace_seconds, leaving the key as it was",
    async (json) => {
      const { account, key } = await accountWithKey();
      const problem = await expectProblem(
        await roll(account.tokens.access_token, key.id, json),
        400,
        "invalid_request",
      );
      expect(JSON.stringify(problem.errors)).toContain("grace_seconds");
      expect(await keyRow(key.id)).toMatchObject({ successor_id: null, grace_ends_at: null });
    },
  );

  it("accepts the longest grace, 7 days", async () => {
    const start = freezeClock();
    const { account, key } = await accountWithKey();
    expect((await roll(account.tokens.access_token, key.id, { grace_seconds: 604_800 })).status).toBe(201);
    expect(await keyRow(key.id)).toMatchObject({ grace_ends_at: start + 604_800 });
  });

  it("keeps the key's expiry for the successor, and refuses to roll a revoked or expired key (404)", async () => {
    freezeClock();
    const { account } = await accountWithKey();
    const token = account.tokens.access_token;
    const expiring = await createKey(account, { expires_in: 600 });
    const successor = await readJson<IssuedKey>(await roll(token, expiring.id));
    expect(successor.expires_at).toBe(expiring.expires_at);
    advanceClock(600);
    await expectProblem(await verifyWithKey(successor.api_key, token), 401, "invalid_api_key");
    await expectProblem(await roll(token, successor.id), 404, "api_key_not_found");
    const revoked = await createKey(account);
    await call("DELETE", `/v1/keys/${revoked.id}`, { token });
    await expectProblem(await roll(token, revoked.id), 404, "api_key_not_found");
  });
});
