// The per-isolate memory of verified access tokens (src/services/verified-token-cache.ts): a repeated
// check of the same token costs no second signature, yet expiry, revocation, key rotation and a clock
// set back all still take effect, and nothing but an exact, successful check is ever remembered.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/bindings";
import { getServiceContext } from "../src/context";
import { rememberedClaims } from "../src/services/verified-token-cache";
import { introspect, signUp } from "./support/accounts";
import { advanceClock, freezeClock } from "./support/clock";
import { call } from "./support/http";
import { CURRENT_KEY, RETIRING_KEY, rejectionOf, signWith, useForgeryTarget } from "./support/token-forgery";

const ACCESS_TOKEN_TTL = 900;

/** A token whose signature's last character differs: same header and claims, a broken signature. */
/** One character of the signature changed, away from its end (the last one may carry only padding bits). */
function withOtherSignature(token: string): string {
  const at = token.length - 10;
  const other = token[at] === "A" ? "B" : "A";
  return `${token.slice(0, at)}${other}${token.slice(at + 1)}`;
}

async function sessionRow(sid: string) {
  return env.DB.prepare("select revoked_at from sessions where id = ?")
    .bind(sid)
    .first<{ revoked_at: number | null }>();
}

describe("verified-token cache", () => {
  const target = useForgeryTarget();

  it("answers a repeated check from memory with the same claims, and refuses the token once it expires", async () => {
    const now = freezeClock();
    const { tokens } = await signUp();
    const context = await getServiceContext(env);
    expect(rememberedClaims(context, tokens.access_token, now)).toBeUndefined();
    const first = await introspect(tokens.access_token);
    expect(first.active).toBe(true);
    expect(rememberedClaims(context, tokens.access_token, now)).toMatchObject({ sub: first.sub, sid: first.sid });
    expect(await introspect(tokens.access_token)).toEqual(first);

    advanceClock(ACCESS_TOKEN_TTL);
    expect(rememberedClaims(context, tokens.access_token, now + ACCESS_TOKEN_TTL)).toBeUndefined();
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
    expect(await rejectionOf(tokens.access_token)).toBe("token_expired");
  });

  it("never remembers a refusal: a remembered token with one signature character changed is refused", async () => {
    const now = freezeClock();
    const { tokens } = await signUp();
    expect((await introspect(tokens.access_token)).active).toBe(true);
    const forged = withOtherSignature(tokens.access_token);
    const answers = await Promise.all([1, 2, 3].map(() => introspect(forged)));
    expect(answers).toEqual([{ active: false }, { active: false }, { active: false }]);
    expect(await rejectionOf(forged)).toBe("token_invalid");
    expect(rememberedClaims(await getServiceContext(env), forged, now)).toBeUndefined();
    // The genuine token is still accepted: the refusals did not evict or poison it.
    expect((await introspect(tokens.access_token)).active).toBe(true);
  });

  it("refuses a remembered token at once when its session logs out (the denylist is read every time)", async () => {
    const { tokens } = await signUp();
    const first = await introspect(tokens.access_token);
    expect(first.active).toBe(true);
    expect((await call("POST", "/v1/logout", { token: tokens.access_token })).status).toBe(204);
    expect((await sessionRow(first.sid as string))?.revoked_at).not.toBeNull();
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
    expect(await rejectionOf(tokens.access_token)).toBe("token_revoked");
    expect((await call("GET", "/v1/me", { token: tokens.access_token })).status).toBe(401);
  });

  it("distrusts its memory when the clock goes back: a token dated ahead of the clock is checked afresh", async () => {
    const now = freezeClock();
    const { tokens } = await signUp();
    expect((await introspect(tokens.access_token)).active).toBe(true);
    // Two minutes earlier the token's iat lies beyond the 60 s tolerance: full verification refuses it.
    advanceClock(-120);
    expect(rememberedClaims(await getServiceContext(env), tokens.access_token, now - 120)).toBeUndefined();
    expect(await rejectionOf(tokens.access_token)).toBe("token_invalid");
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
  });

  it("is kept per key set: a key removed from SIGNING_KEYS stops verifying at once, remembered or not", async () => {
    const withoutRetiredKey: Bindings = { ...env, SIGNING_KEYS: JSON.stringify({ keys: [CURRENT_KEY] }) };
    const token = await signWith(RETIRING_KEY, target.claims());
    const now = Math.floor(Date.now() / 1000);
    await target.expectAccepted(token);
    expect(rememberedClaims(await getServiceContext(env), token, now)).toBeDefined();
    expect(rememberedClaims(await getServiceContext(withoutRetiredKey), token, now)).toBeUndefined();
    expect(await rejectionOf(token, withoutRetiredKey)).toBe("token_invalid");
  });

  it("answers parallel first checks of one token alike, and remembers it once they settle", async () => {
    const now = freezeClock();
    const { tokens } = await signUp();
    const answers = await Promise.all(Array.from({ length: 10 }, () => introspect(tokens.access_token)));
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(answers[0]?.active).toBe(true);
    expect(rememberedClaims(await getServiceContext(env), tokens.access_token, now)).toBeDefined();
  });
});
