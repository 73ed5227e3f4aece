// Pages behind mail links. GET only shows a form and changes nothing (mail scanners follow links);
// the person's click POSTs it, and only then is the token redeemed.

import { Hono } from "hono";
import * as z from "zod";
import { escapeHtml } from "../mail/html-escape";
import type { AppEnv } from "../routes/http/app-env";
import { readBodyObject } from "../routes/http/body";
import { clientInfo } from "../routes/http/client";
import { gate } from "../routes/http/rate-limit";
import { requestScope } from "../routes/http/request-scope";
import { verifyEmail } from "../services/email-verification-service";
import { resetPassword } from "../services/password-service";
import { PAGE_HEADERS, renderPage } from "./layout";

const TokenForm = z.strictObject({ token: z.string().min(1).max(64) });
const ResetForm = z.strictObject({ token: z.string().min(1).max(64), new_password: z.string().max(1024) });

const hiddenToken = (token: string) => `<input type="hidden" name="token" value="${escapeHtml(token)}">`;
const NO_TOKEN = "<p>This link is incomplete. Open the link from your email again.</p>";

export const linkPages = new Hono<AppEnv>();

linkPages.get("/verify-email", (c) => {
  const token = c.req.query("token");
  const body = token
    ? `<form method="post">${hiddenToken(token)}<button type="submit">Verify my email address</button></form>`
    : NO_TOKEN;
  return c.html(renderPage("Verify your email", body), 200, PAGE_HEADERS);
});

// The same per-IP gate as the API routes that redeem the same tokens.
linkPages.post("/verify-email", gate("redeem_code"), async (c) => {
  const form = TokenForm.safeParse(await readBodyObject(c));
  const result = form.success
    ? await verifyEmail(c.get("services"), { token: form.data.token }, clientInfo(c), requestScope(c))
    : null;
  const message = result?.ok
    ? "Your email address is verified. You can return to the app."
    : "This link has expired or was already used. Request a new one from the app.";
  return c.html(renderPage("Verify your email", `<p>${message}</p>`), result?.ok ? 200 : 400, PAGE_HEADERS);
});

linkPages.get("/reset-password", (c) => {
  const token = c.req.query("token");
  const body = token
    ? `<form method="post">${hiddenToken(token)}
<label>New password<input type="password" name="new_password" autocomplete="new-password" required minlength="8"></label>
<button type="submit">Set new password</button></form>`
    : NO_TOKEN;
  return c.html(renderPage("Choose a new password", body), 200, PAGE_HEADERS);
});

linkPages.post("/reset-password", gate("redeem_code"), async (c) => {
  const form = ResetForm.safeParse(await readBodyObject(c));
  if (!form.success) return c.html(renderPage("Choose a new password", NO_TOKEN), 400, PAGE_HEADERS);
  const { token, new_password } = form.data;
  const result = await resetPassword(c.get("services"), requestScope(c), { token }, new_password);
  if (result.ok) {
    return c.html(
      renderPage("Password changed", "<p>Your password is changed. Sign in with it in the app.</p>"),
      200,
      PAGE_HEADERS,
    );
  }
  const message =
    result.error.code === "weak_password"
      ? `That password cannot be used: ${escapeHtml(result.error.issues?.[0]?.message ?? "choose another")}.`
      : "This link has expired or was already used. Request a new one from the app.";
  const retry =
    result.error.code === "weak_password" ? `<p><a href="?token=${encodeURIComponent(token)}">Try again</a></p>` : "";
  return c.html(renderPage("Choose a new password", `<p>${message}</p>${retry}`), 400, PAGE_HEADERS);
});
