// GitHub's part of the fake identity provider (test/support/fake-idp.ts): the OAuth app's token
// endpoint (checks client authentication, redirect_uri and the PKCE verifier; a code works once),
// `/user`, `/user/emails`, and the app's token-check API that tells our tokens from other apps'.
import { env } from "cloudflare:workers";

export interface GitHubPerson {
  id: number;
  login: string;
  emails: { email: string; primary: boolean; verified: boolean }[];
}

export interface GitHubState {
  /** Codes the login page issued: code → who, for which redirect_uri and challenge. */
  codes: Map<string, { person: GitHubPerson; redirectUri: string; challenge: string | null; used: boolean }>;
  /** Access tokens → who, and which OAuth app they were issued to. */
  tokens: Map<string, { person: GitHubPerson; clientId: string }>;
}

export const GITHUB_CLIENT_ID = env.OAUTH_GITHUB_CLIENT_ID as string;
const GITHUB_SECRET = env.OAUTH_GITHUB_CLIENT_SECRET as string;

export function newGitHubState(): GitHubState {
  return { codes: new Map(), tokens: new Map() };
}

// A random start: each test file has its own copy of this module, and they all write one D1.
let nextId = 1_000_000_000 + (crypto.getRandomValues(new Uint32Array(1))[0] ?? 0) * 1000;
export function gitHubPerson(email: string, verified = true): GitHubPerson {
  nextId += 1;
  return { id: nextId, login: `octo${nextId}`, emails: [{ email, primary: true, verified }] };
}

/** An access token GitHub issued to `clientId` (ours by default) for `person`. */
export function gitHubToken(state: GitHubState, person: GitHubPerson, clientId = GITHUB_CLIENT_ID): string {
  const token = `gho_${crypto.randomUUID().replaceAll("-", "")}`;
  state.tokens.set(token, { person, clientId });
  return token;
}

/** What GitHub's login page redirects back with for `authorizeUrl` once `person` signed in. */
export function approveGitHub(state: GitHubState, authorizeUrl: string, person: GitHubPerson): URLSearchParams {
  const url = new URL(authorizeUrl);
  const code = crypto.randomUUID();
  const redirectUri = url.searchParams.get("redirect_uri") ?? "";
  state.codes.set(code, { person, redirectUri, challenge: url.searchParams.get("code_challenge"), used: false });
  return new URLSearchParams({ code, state: url.searchParams.get("state") ?? "" });
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

async function s256(verifier: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  return btoa(String.fromCharCode(...digest))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

async function tokenEndpoint(state: GitHubState, request: Request): Promise<Response> {
  const form = new URLSearchParams(await request.text());
  if (form.get("client_id") !== GITHUB_CLIENT_ID || form.get("client_secret") !== GITHUB_SECRET)
    return json({ error: "incorrect_client_credentials" }, 401);
  const issued = state.codes.get(form.get("code") ?? "");
  if (!issued || issued.used || issued.redirectUri !== form.get("redirect_uri"))
    return json({ error: "bad_verification_code" }, 400);
  issued.used = true;
  const verifier = form.get("code_verifier");
  if (issued.challenge !== null && (verifier === null || (await s256(verifier)) !== issued.challenge))
    return json({ error: "bad_verification_code" }, 400);
  const token = gitHubToken(state, issued.person);
  return json({ access_token: token, token_type: "bearer", scope: "read:user,user:email" });
}

/** GitHub's answer to `request`, or null when it is not for a GitHub host. */
export async function answerGitHub(state: GitHubState, request: Request, url: URL): Promise<Response | null> {
  if (url.host === "github.com" && url.pathname === "/login/oauth/access_token" && request.method === "POST")
    return tokenEndpoint(state, request);
  if (url.host !== "api.github.com") return url.host === "github.com" ? json({}, 404) : null;
  if (url.pathname === `/applications/${GITHUB_CLIENT_ID}/token` && request.method === "POST") {
    if (request.headers.get("Authorization") !== `Basic ${btoa(`${GITHUB_CLIENT_ID}:${GITHUB_SECRET}`)}`)
      return json({}, 401);
    const { access_token } = (await request.json()) as { access_token?: string };
    const held = state.tokens.get(access_token ?? "");
    if (!held || held.clientId !== GITHUB_CLIENT_ID) return json({ message: "Not Found" }, 404);
    return json({ app: { client_id: held.clientId }, user: { id: held.person.id } });
  }
  const bearer = /^Bearer (.+)$/.exec(request.headers.get("Authorization") ?? "")?.[1] ?? "";
  const held = state.tokens.get(bearer);
  if (!held) return json({ message: "Bad credentials" }, 401);
  if (url.pathname === "/user") return json({ id: held.person.id, login: held.person.login });
  if (url.pathname === "/user/emails") return json(held.person.emails);
  return json({ message: "Not Found" }, 404);
}
