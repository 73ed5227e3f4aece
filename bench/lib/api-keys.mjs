// API-key scenarios (issue 14): POST /v1/token/verify authenticated by a key, the client_credentials
// exchange, and GET /v1/me measured right beside them as the bearer-token request they are compared
// with (target: a key-authenticated request at most 1.2× a bearer one, CPU per request).
import { callJson, getRequest, jsonRequest } from "./traffic.mjs";

/** Keys used round-robin, so no one key reaches its own limit (RATE_LIMIT_API_KEY, 6000 a minute). */
const KEY_POOL_SIZE = 16;

/** Creates `KEY_POOL_SIZE` keys with the `verify` scope for the holder of `accessToken`. */
async function createKeys(origin, accessToken) {
  const keys = [];
  for (let n = 0; n < KEY_POOL_SIZE; n++) {
    const { body } = await callJson(origin, "POST", "/v1/keys", {
      json: { name: `bench-${n}`, scopes: ["verify"] },
      headers: { authorization: `Bearer ${accessToken}` },
    });
    keys.push(body.api_key);
  }
  return keys;
}

function roundRobin(items) {
  let next = 0;
  return () => {
    const item = items[next];
    next = (next + 1) % items.length;
    return item;
  };
}

/** /v1/token/verify of `accessToken`, the key as Bearer. */
function keyVerifyRequest(nextKey, accessToken) {
  return jsonRequest(
    "POST",
    "/v1/token/verify",
    () => ({ token: accessToken }),
    () => ({ authorization: `Bearer ${nextKey()}` }),
  );
}

/** The exchange, the key as client_secret in a JSON body (the route takes a form or JSON). */
function clientCredentialsRequest(nextKey) {
  return jsonRequest("POST", "/v1/oauth/token", () => ({ grant_type: "client_credentials", client_secret: nextKey() }));
}

export async function benchApiKeys(run, origin, accessToken, options) {
  const nextKey = roundRobin(await createKeys(origin, accessToken));
  const seconds = options.durationSeconds;
  const scenarios = {};
  scenarios.me_beside_api_keys = await run({
    name: "GET /v1/me (again, beside the API-key scenarios)",
    requests: [getRequest("/v1/me", { authorization: `Bearer ${accessToken}` })],
    durationSeconds: seconds,
  });
  scenarios.token_verify_api_key = await run({
    name: "POST /v1/token/verify (API key as Bearer)",
    requests: [keyVerifyRequest(nextKey, accessToken)],
    durationSeconds: seconds,
  });
  scenarios.client_credentials = await run({
    name: "POST /v1/oauth/token (client_credentials)",
    requests: [clientCredentialsRequest(nextKey)],
    durationSeconds: seconds,
  });
  return scenarios;
}
