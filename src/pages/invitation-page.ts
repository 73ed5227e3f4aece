// The page an invitation mail's link opens (/accept-invitation?token=…). GET shows the organization
// and a button and changes nothing (mail scanners follow links); the click POSTs the token. What the
// link may and may not do without a session is decided in src/services/org-invitation-link.ts.

import { Hono } from "hono";
import * as z from "zod";
import { escapeHtml } from "../mail/html-escape";
import type { AppEnv } from "../routes/http/app-env";
import { readBodyObject } from "../routes/http/body";
import { gate } from "../routes/http/rate-limit";
import { requestScope } from "../routes/http/request-scope";
import { acceptInvitationByLink, type LinkAcceptance, previewInvitation } from "../services/org-invitation-link";
import { PAGE_HEADERS, renderPage } from "./layout";

const TITLE = "Join an organization";
const TokenForm = z.strictObject({ token: z.string().min(1).max(512) });
const NO_TOKEN = "<p>This link is incomplete. Open the link from your email again.</p>";
const DEAD = "<p>This invitation has expired, was revoked or was already used. Ask for a new one.</p>";

function outcomePage(outcome: LinkAcceptance): string {
  const org = `<strong>${escapeHtml(outcome.organizationName)}</strong>`;
  const email = `<strong>${escapeHtml(outcome.email)}</strong>`;
  switch (outcome.kind) {
    case "joined":
      return `<p>You joined ${org} as ${email}. You can return to the app and sign in.</p>`;
    case "already_member":
      return `<p>${email} is already a member of ${org}.</p>`;
    case "sign_up_first":
      return `<p>No account uses ${email} yet. Sign up in the app with that address, then open this link again.</p>`;
    case "verify_first":
      return `<p>The account of ${email} has not verified its address. Verify it with the verification email (or reset the password), then open this link again.</p>`;
  }
}

export const invitationPage = new Hono<AppEnv>();

invitationPage.get("/accept-invitation", gate("redeem_code"), async (c) => {
  const token = c.req.query("token");
  if (!token) return c.html(renderPage(TITLE, NO_TOKEN), 400, PAGE_HEADERS);
  const preview = await previewInvitation(c.get("services"), token);
  if (!preview.ok) return c.html(renderPage(TITLE, DEAD), 400, PAGE_HEADERS);
  const { organizationName, email } = preview.value;
  const body = `<p>${escapeHtml(email)} is invited to join <strong>${escapeHtml(organizationName)}</strong>.</p>
<form method="post"><input type="hidden" name="token" value="${escapeHtml(token)}"><button type="submit">Accept the invitation</button></form>`;
  return c.html(renderPage(TITLE, body), 200, PAGE_HEADERS);
});

// The same per-IP gate as the other pages that redeem mailed tokens.
invitationPage.post("/accept-invitation", gate("redeem_code"), async (c) => {
  const form = TokenForm.safeParse(await readBodyObject(c));
  if (!form.success) return c.html(renderPage(TITLE, NO_TOKEN), 400, PAGE_HEADERS);
  const result = await acceptInvitationByLink(c.get("services"), form.data.token, requestScope(c));
  if (!result.ok) return c.html(renderPage(TITLE, DEAD), 400, PAGE_HEADERS);
  const status = result.value.kind === "joined" || result.value.kind === "already_member" ? 200 : 409;
  return c.html(renderPage(TITLE, outcomePage(result.value)), status, PAGE_HEADERS);
});
