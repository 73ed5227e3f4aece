// The dialect scenarios (issue 11): a dialect's login and its session check, on the same server as
// the native ones, so "a dialect's session check costs no more than 1.1× /v1/me" is one run's ratio.
// crema's: POST /api/v1/users and /api/v1/auth, GET /api/v1/auth (`npm run dev` mounts all five).
import { BENCH_PASSWORD, callJson, getRequest, jsonRequest, uniqueEmail } from "./traffic.mjs";

export async function cremaSignUpOne(origin, label) {
  const email = uniqueEmail(label);
  // callJson throws on a refusal (a 404 here: DIALECTS does not name crema in .dev.vars).
  const { body } = await callJson(origin, "POST", "/api/v1/users", {
    json: { name: "bench", email, password: BENCH_PASSWORD },
  });
  return { email, token: body.token };
}

/** crema sign-ups; each address goes to `emails` for the crema logins after them. */
export function cremaSignUpRequest(label, emails) {
  const request = jsonRequest("POST", "/api/v1/users", (context) => {
    context.email = uniqueEmail(label);
    return { name: "bench", email: context.email, password: BENCH_PASSWORD };
  });
  request.onResponse = (status, _body, context) => {
    if (status === 200) emails.give(context.email);
  };
  return request;
}

export function cremaLogInRequest(emails) {
  return jsonRequest("POST", "/api/v1/auth", () => ({
    email: emails.take("nobody@bench.example.com"),
    password: BENCH_PASSWORD,
  }));
}

export function cremaSessionCheckRequest(token) {
  return getRequest("/api/v1/auth", { authorization: `Bearer ${token}` });
}
