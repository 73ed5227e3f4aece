// The Worker's own pages behind mail links: GET only shows a form (mail scanners follow links and
// must not spend them), the person's POST redeems the token, and no token value can inject markup.
import { describe, expect, it } from "vitest";
import { liveSessionCount, logIn, PASSWORD, signUp } from "./support/accounts";
import { callAndSettle, readJson } from "./support/http";
import { callRequired, codeRow, latestCode, mailTo, signUpPending, userState } from "./support/mail";

const NEW_PASSWORD = "a brand new passphrase";
const HOSTILE = `"><script>alert(1)</script><a x='`;

/** Path and query of a mail link, to open it on this Worker. */
function pathOf(link: string): string {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}

function expectPageHeaders(response: Response): void {
  expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Referrer-Policy")).toBe("no-referrer");
  expect(response.headers.get("X-Frame-Options")).toBe("DENY");
  expect(response.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
}

async function accountWithResetLink() {
  const account = await signUp();
  await logIn(account.email);
  const forgot = await callAndSettle("POST", "/v1/password/forgot", { json: { email: account.email } });
  const { otp_request_id: requestId } = await readJson<{ otp_request_id: string }>(forgot);
  return { ...account, requestId, received: await latestCode(account.email, "reset_password") };
}

describe("/verify-email", () => {
  it("GET shows a form with the token and changes nothing, however often it is opened", async () => {
    const pending = await signUpPending();
    for (let visit = 0; visit < 2; visit += 1) {
      const response = await callRequired("GET", pathOf(pending.received.link));
      expect(response.status).toBe(200);
      expectPageHeaders(response);
      const html = await response.text();
      expect(html).toContain('<form method="post">');
      expect(html).toContain(`<input type="hidden" name="token" value="${pending.received.token}">`);
    }
    expect(await codeRow(pending.requestId)).toMatchObject({ attempts: 0, consumed_at: null, superseded_at: null });
    expect((await userState(pending.userId))?.email_verified).toBe(0);
    expect(await liveSessionCount(pending.userId)).toBe(0);

    // The token is still good through the API afterwards.
    const api = await callRequired("POST", "/v1/email/verify", { json: { token: pending.received.token } });
    expect(api.status).toBe(200);
  });

  it("POST with the form redeems the token once and verifies the address", async () => {
    const pending = await signUpPending();
    const response = await callRequired("POST", "/verify-email", { form: { token: pending.received.token } });
    expect(response.status).toBe(200);
    expectPageHeaders(response);
    expect(await response.text()).toContain("Your email address is verified");
    expect((await userState(pending.userId))?.email_verified).toBe(1);
    expect((await codeRow(pending.requestId))?.consumed_at).not.toBeNull();

    const again = await callRequired("POST", "/verify-email", { form: { token: pending.received.token } });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("expired or was already used");
  });

  it("answers a missing or unknown token with a page, not a form or an error body", async () => {
    const missing = await callRequired("GET", "/verify-email");
    expect(missing.status).toBe(200);
    const missingHtml = await missing.text();
    expect(missingHtml).toContain("This link is incomplete");
    expect(missingHtml).not.toContain("<form");
    for (const form of [{ token: "A".repeat(22) }, {} as Record<string, string>]) {
      const response = await callRequired("POST", "/verify-email", { form });
      expect(response.status).toBe(400);
      expectPageHeaders(response);
      expect(await response.text()).toContain("expired or was already used");
    }
  });

  it("escapes a hostile token value in the page", async () => {
    const response = await callRequired("GET", `/verify-email?token=${encodeURIComponent(HOSTILE)}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).not.toContain("<script>");
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;a x=&#39;"');
  });
});

describe("/reset-password", () => {
  it("GET shows a form for the new password and changes nothing", async () => {
    const account = await accountWithResetLink();
    const response = await callAndSettle("GET", pathOf(account.received.link));
    expect(response.status).toBe(200);
    expectPageHeaders(response);
    const html = await response.text();
    expect(html).toContain('<form method="post">');
    expect(html).toContain(`<input type="hidden" name="token" value="${account.received.token}">`);
    expect(html).toContain('name="new_password"');
    expect(await codeRow(account.requestId)).toMatchObject({ attempts: 0, consumed_at: null });
    expect(await liveSessionCount(account.userId)).toBe(2);
  });

  it("POST with a weak password answers 400 with the reason and keeps the token usable", async () => {
    const account = await accountWithResetLink();
    const before = await userState(account.userId);
    const weak = await callAndSettle("POST", "/reset-password", {
      form: { token: account.received.token, new_password: "short" },
    });
    expect(weak.status).toBe(400);
    expectPageHeaders(weak);
    const html = await weak.text();
    expect(html).toContain("That password cannot be used");
    expect(html).toContain(`<a href="?token=${encodeURIComponent(account.received.token)}">Try again</a>`);
    expect(await codeRow(account.requestId)).toMatchObject({ attempts: 0, consumed_at: null });
    expect(await userState(account.userId)).toEqual(before);
    expect(await liveSessionCount(account.userId)).toBe(2);

    const strong = await callAndSettle("POST", "/reset-password", {
      form: { token: account.received.token, new_password: NEW_PASSWORD },
    });
    expect(strong.status).toBe(200);
    expect(await strong.text()).toContain("Your password is changed");
    expect((await codeRow(account.requestId))?.consumed_at).not.toBeNull();
    expect(await liveSessionCount(account.userId)).toBe(0);
    expect(await mailTo(account.email, "password_changed")).toHaveLength(1);
    const oldLogin = await callAndSettle("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } });
    expect(oldLogin.status).toBe(401);
    const newLogin = await callAndSettle("POST", "/v1/login", {
      json: { email: account.email, password: NEW_PASSWORD },
    });
    expect(newLogin.status).toBe(200);
  });

  it("POST with a spent token answers 400 and changes nothing", async () => {
    const account = await accountWithResetLink();
    const first = await callAndSettle("POST", "/reset-password", {
      form: { token: account.received.token, new_password: NEW_PASSWORD },
    });
    expect(first.status).toBe(200);
    const hash = (await userState(account.userId))?.password_hash;
    const again = await callAndSettle("POST", "/reset-password", {
      form: { token: account.received.token, new_password: "yet another passphrase" },
    });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("expired or was already used");
    expect((await userState(account.userId))?.password_hash).toBe(hash);
  });

  it("escapes a hostile token value in the form and in the retry link", async () => {
    const page = await callAndSettle("GET", `/reset-password?token=${encodeURIComponent(HOSTILE)}`);
    expect(page.status).toBe(200);
    const pageHtml = await page.text();
    expect(pageHtml).not.toContain("<script>");
    expect(pageHtml).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;a x=&#39;"');

    const retry = await callAndSettle("POST", "/reset-password", { form: { token: HOSTILE, new_password: "short" } });
    expect(retry.status).toBe(400);
    const retryHtml = await retry.text();
    expect(retryHtml).not.toContain("<script>");
    expect(retryHtml).toContain(`<a href="?token=${encodeURIComponent(HOSTILE)}">Try again</a>`);
  });
});
