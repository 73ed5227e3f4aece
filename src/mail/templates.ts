// The text and HTML of every message. Each kind states its content once; one renderer turns that into
// plain text and into HTML, escaping every interpolated value (addresses and names can carry markup).

import { escapeHtml, isWebLink } from "./html-escape";
import type { MailKind, MailMessage } from "./mailer";

export type MailTemplate =
  /** Without `code`: a link-only mail, for a surface that redeems links only. */
  | { kind: "verify_email"; code?: string; link: string; expiresInMinutes: number }
  | { kind: "reset_password"; code: string; link: string; expiresInMinutes: number }
  | { kind: "set_password"; code: string; link: string; expiresInMinutes: number }
  | { kind: "email_change_code"; code: string; link: string; expiresInMinutes: number; newEmail: string }
  | { kind: "email_change_notice"; newEmail: string }
  | { kind: "password_changed" }
  | { kind: "account_exists"; loginLink: string; resetLink: string }
  | { kind: "org_invitation"; code: string; link: string; expiresInMinutes: number; orgName: string };

interface MailContent {
  subject: string;
  paragraphs: string[];
  code?: string;
  links: { label: string; url: string }[];
  expiresInMinutes?: number;
  /** Completes "Did not ask for this? …". */
  notAsked: string;
}

function describe(template: MailTemplate, product: string): MailContent {
  switch (template.kind) {
    case "verify_email":
      return {
        subject: `Verify your email for ${product}`,
        paragraphs: [
          template.code === undefined
            ? `Open the link below to verify your email address for ${product}.`
            : `Enter this code in ${product} to verify your email address, or open the link below.`,
        ],
        ...(template.code === undefined ? {} : { code: template.code }),
        links: [{ label: "Verify my email", url: template.link }],
        expiresInMinutes: template.expiresInMinutes,
        notAsked: `You can ignore this email; the address stays unverified without the ${template.code === undefined ? "link" : "code"}.`,
      };
    case "reset_password":
      return {
        subject: `Reset your ${product} password`,
        paragraphs: [`Enter this code in ${product} to choose a new password, or open the link below.`],
        code: template.code,
        links: [{ label: "Reset my password", url: template.link }],
        expiresInMinutes: template.expiresInMinutes,
        notAsked: "You can ignore this email; your password stays unchanged.",
      };
    case "set_password":
      return {
        subject: `Choose your ${product} password`,
        paragraphs: [
          `An account was opened for this address. Enter this code in ${product} to choose its password, or open the link below.`,
        ],
        code: template.code,
        links: [{ label: "Choose my password", url: template.link }],
        expiresInMinutes: template.expiresInMinutes,
        notAsked: "You can ignore this email; nobody can sign in to the account without a password.",
      };
    case "email_change_code":
      return {
        subject: `Confirm your new email for ${product}`,
        paragraphs: [`Enter this code in ${product} to make ${template.newEmail} the email of your account.`],
        code: template.code,
        links: [{ label: "Confirm this email", url: template.link }],
        expiresInMinutes: template.expiresInMinutes,
        notAsked: "You can ignore this email; no account will use this address without the code.",
      };
    case "email_change_notice":
      return {
        subject: `Your ${product} email is being changed`,
        paragraphs: [
          `Someone signed in to your ${product} account asked to change its email to ${template.newEmail}.`,
          "The change happens only once that address is confirmed with the code we sent to it.",
        ],
        links: [],
        notAsked: "Someone may know your password: change it now to keep your account.",
      };
    case "password_changed":
      return {
        subject: `Your ${product} password was changed`,
        paragraphs: [`The password of your ${product} account was just changed.`],
        links: [],
        notAsked: "Someone may have access to your account: reset your password now.",
      };
    case "account_exists":
      return {
        subject: `Your ${product} account already exists`,
        paragraphs: [`Someone tried to sign up to ${product} with this email, which already has an account.`],
        links: [
          { label: "Log in", url: template.loginLink },
          { label: "Forgot your password? Reset it", url: template.resetLink },
        ],
        notAsked: "You can ignore this email; nothing has changed.",
      };
    case "org_invitation":
      return {
        subject: `You are invited to ${template.orgName} on ${product}`,
        paragraphs: [
          `You were invited to join ${template.orgName} on ${product}. Sign in with this address, then enter this code or open the link below.`,
        ],
        code: template.code,
        links: [{ label: "Accept the invitation", url: template.link }],
        expiresInMinutes: template.expiresInMinutes,
        notAsked: "You can ignore this email; nobody joins without the code.",
      };
  }
}

function expiryLine(content: MailContent): string | null {
  if (content.expiresInMinutes === undefined) return null;
  const minutes = `${content.expiresInMinutes} minute${content.expiresInMinutes === 1 ? "" : "s"}`;
  const what = content.code && content.links.length > 0 ? "This code and link expire" : "This expires";
  return `${what} in ${minutes}.`;
}

function renderText(content: MailContent, to: string, product: string): string {
  const blocks = [...content.paragraphs];
  if (content.code) blocks.push(`Your code: ${content.code}`);
  for (const link of content.links) blocks.push(`${link.label}: ${link.url}`);
  const expiry = expiryLine(content);
  if (expiry) blocks.push(expiry);
  blocks.push(`Did not ask for this? ${content.notAsked}`);
  blocks.push(`-- \nSent to ${to} by ${product}.`);
  return `${blocks.join("\n\n")}\n`;
}

const STYLE = {
  body: "margin:0;padding:24px;background:#f6f6f6;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#222",
  card: "max-width:480px;margin:0 auto;padding:24px;background:#fff;border-radius:8px",
  code: "font-size:28px;font-weight:700;letter-spacing:6px;font-family:Menlo,Consolas,monospace",
  muted: "color:#666;font-size:13px",
};

function renderHtml(content: MailContent, to: string, product: string): string {
  const parts = content.paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`);
  if (content.code) parts.push(`<p style="${STYLE.code}">${escapeHtml(content.code)}</p>`);
  for (const link of content.links) {
    const label = escapeHtml(link.label);
    const url = escapeHtml(link.url);
    // Only http(s) becomes clickable; the address is also printed for clients that strip links.
    const anchor = isWebLink(link.url) ? `<a href="${url}">${label}</a>` : label;
    parts.push(`<p>${anchor}<br /><span style="${STYLE.muted};word-break:break-all">${url}</span></p>`);
  }
  const expiry = expiryLine(content);
  if (expiry) parts.push(`<p>${escapeHtml(expiry)}</p>`);
  parts.push(`<p style="${STYLE.muted}">Did not ask for this? ${escapeHtml(content.notAsked)}</p>`);
  parts.push(`<p style="${STYLE.muted}">Sent to ${escapeHtml(to)} by ${escapeHtml(product)}.</p>`);
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8" /><title>${escapeHtml(content.subject)}</title></head>`,
    `<body style="${STYLE.body}"><div style="${STYLE.card}">`,
    ...parts,
    "</div></body></html>",
  ].join("\n");
}

function metaOf(template: MailTemplate): MailMessage["meta"] {
  if ("link" in template) {
    return template.code === undefined ? { link: template.link } : { code: template.code, link: template.link };
  }
  if (template.kind === "account_exists") return { link: template.loginLink };
  return undefined;
}

export function renderMail(template: MailTemplate, to: string, productName: string): MailMessage {
  const content = describe(template, productName);
  const kind: MailKind = template.kind;
  const meta = metaOf(template);
  return {
    to,
    subject: content.subject,
    text: renderText(content, to, productName),
    html: renderHtml(content, to, productName),
    kind,
    ...(meta ? { meta } : {}),
  };
}
