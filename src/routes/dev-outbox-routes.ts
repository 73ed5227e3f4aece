// GET /dev/outbox: the dev outbox for people (HTML) and scripts (JSON). Answers exactly like an unknown
// path unless config.devOutbox (DEV_OUTBOX) is on, which config allows only on a local issuer.

import { Hono } from "hono";
import { escapeHtml, isWebLink } from "../mail/html-escape";
import { type OutboxEntry, readDevOutbox } from "../services/dev-outbox";
import type { AppEnv } from "./http/app-env";
import { problemResponse } from "./http/problem";

function wantsJson(accept: string | undefined): boolean {
  return accept !== undefined && /application\/json/i.test(accept) && !/text\/html/i.test(accept);
}

function readLimit(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,3}$/.test(value) ? Number(value) : undefined;
}

// The page itself runs no script; message HTML is shown in a sandboxed frame that cannot either.
const PAGE_SECURITY_HEADERS = {
  "Cache-Control": "no-store",
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

function renderSmsEntry(entry: OutboxEntry, when: string): string {
  return `<article>
  <h2>SMS</h2>
  <p class="meta">${escapeHtml(when)} · ${escapeHtml(entry.kind)} · to <b>${escapeHtml(entry.to)}</b></p>
  ${entry.code ? `<p>Code: <code class="code">${escapeHtml(entry.code)}</code></p>` : ""}
  <pre>${escapeHtml(entry.text)}</pre>
</article>`;
}

function renderEntry(entry: OutboxEntry): string {
  const when = new Date(entry.created_at * 1000).toISOString();
  if (entry.channel === "sms") return renderSmsEntry(entry, when);
  const link = entry.link
    ? isWebLink(entry.link)
      ? `<a href="${escapeHtml(entry.link)}">${escapeHtml(entry.link)}</a>`
      : escapeHtml(entry.link)
    : "";
  return `<article>
  <h2>${escapeHtml(entry.subject)}</h2>
  <p class="meta">${escapeHtml(when)} · ${escapeHtml(entry.kind)} · to <b>${escapeHtml(entry.to)}</b></p>
  ${entry.code ? `<p>Code: <code class="code">${escapeHtml(entry.code)}</code></p>` : ""}
  ${link ? `<p>Link: ${link}</p>` : ""}
  <details><summary>Text</summary><pre>${escapeHtml(entry.text)}</pre></details>
  <details><summary>HTML</summary><iframe sandbox srcdoc="${escapeHtml(entry.html)}" title="message"></iframe></details>
</article>`;
}

function renderOutboxPage(entries: OutboxEntry[]): string {
  const body = entries.length > 0 ? entries.map(renderEntry).join("\n") : "<p>No messages yet.</p>";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>Dev outbox</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 760px; margin: 2rem auto; padding: 0 1rem; color: #222; }
article { border: 1px solid #ddd; border-radius: 8px; padding: 0 1rem 1rem; margin-bottom: 1rem; }
.meta { color: #666; font-size: .9rem; }
.code { font-size: 1.4rem; letter-spacing: .2rem; }
pre { white-space: pre-wrap; background: #f6f6f6; padding: .5rem; }
iframe { width: 100%; height: 360px; border: 1px solid #ddd; }
</style>
</head>
<body>
<h1>Dev outbox</h1>
<p>Mail and SMS captured by MAIL_PROVIDER=outbox and SMS_PROVIDER=outbox, newest first. Kept for one day. JSON: send <code>Accept: application/json</code>.</p>
${body}
</body>
</html>`;
}

export const devOutboxRoutes = new Hono<AppEnv>();

devOutboxRoutes.get("/dev/outbox", async (c) => {
  const messages = await readDevOutbox(c.get("services"), readLimit(c.req.query("limit")));
  if (!messages) return problemResponse(c, { code: "not_found" });
  if (wantsJson(c.req.header("Accept"))) return c.json({ messages }, 200, { "Cache-Control": "no-store" });
  return c.html(renderOutboxPage(messages), 200, PAGE_SECURITY_HEADERS);
});
