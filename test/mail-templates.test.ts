import { describe, expect, it } from "vitest";
import { type MailTemplate, renderMail } from "../src/mail/templates";

const TO = "ada@example.com";
const PRODUCT = "Acme";
const LINK = "https://app.test/verify?token=tok-abc&purpose=x";

const TEMPLATES: MailTemplate[] = [
  { kind: "verify_email", code: "482913", link: LINK, expiresInMinutes: 10 },
  { kind: "reset_password", code: "482913", link: LINK, expiresInMinutes: 10 },
  { kind: "email_change_code", code: "482913", link: LINK, expiresInMinutes: 10, newEmail: "new@example.com" },
  { kind: "email_change_notice", newEmail: "new@example.com" },
  { kind: "password_changed" },
  { kind: "account_exists", loginLink: "https://app.test/login", resetLink: "https://app.test/forgot" },
];

describe("renderMail", () => {
  it.each(TEMPLATES)("renders $kind with a short subject, the product name and a 'Did not ask' line", (template) => {
    const message = renderMail(template, TO, PRODUCT);
    expect(message.kind).toBe(template.kind);
    expect(message.to).toBe(TO);
    expect(message.subject).toContain(PRODUCT);
    expect(message.subject.length).toBeLessThanOrEqual(60);
    expect(message.subject).not.toMatch(/\d{6}/);
    for (const body of [message.text, message.html]) {
      expect(body).toContain(PRODUCT);
      expect(body).toContain("Did not ask for this?");
      expect(body).toContain(TO);
    }
    expect(message.html).toMatch(/^<!doctype html>/);
  });

  it.each(TEMPLATES.filter((template) => "code" in template))(
    "puts the code, the link and the expiry of $kind in both bodies and in meta",
    (template) => {
      const message = renderMail(template, TO, PRODUCT);
      expect(message.text).toContain("Your code: 482913");
      expect(message.text).toContain(LINK);
      expect(message.text).toContain("This code and link expire in 10 minutes.");
      expect(message.html).toContain("482913");
      expect(message.html).toContain(`href="${LINK.replace("&", "&amp;")}"`);
      expect(message.html).toContain("This code and link expire in 10 minutes.");
      expect(message.meta).toEqual({ code: "482913", link: LINK });
    },
  );

  it("says 1 minute, not 1 minutes", () => {
    const message = renderMail({ kind: "verify_email", code: "1", link: LINK, expiresInMinutes: 1 }, TO, PRODUCT);
    expect(message.text).toContain("expire in 1 minute.");
  });

  it("names the new address in the change code and in the notice to the old address", () => {
    for (const template of TEMPLATES.filter((candidate) => "newEmail" in candidate)) {
      const message = renderMail(template, TO, PRODUCT);
      expect(message.text).toContain("new@example.com");
      expect(message.html).toContain("new@example.com");
    }
  });

  it("offers both the login and the reset link when an address is already registered", () => {
    const message = renderMail(TEMPLATES[5] as MailTemplate, TO, PRODUCT);
    expect(message.text).toContain("https://app.test/login");
    expect(message.text).toContain("https://app.test/forgot");
    expect(message.html).toContain('href="https://app.test/login"');
    expect(message.html).toContain('href="https://app.test/forgot"');
  });

  it("carries no code or link in meta for messages that have none", () => {
    expect(renderMail({ kind: "password_changed" }, TO, PRODUCT).meta).toBeUndefined();
    expect(renderMail({ kind: "email_change_notice", newEmail: "n@example.com" }, TO, PRODUCT).meta).toBeUndefined();
  });
});

describe("renderMail: HTML escaping", () => {
  const hostileAddress = '"><script>alert(1)</script>@evil.test';
  const hostileProduct = "<script>steal()</script> & Co";
  const hostileEmail = "x@y.test<img src=x onerror=alert(2)>";

  it.each([
    ...TEMPLATES.filter((template) => template.kind !== "email_change_code" && template.kind !== "email_change_notice"),
    { kind: "email_change_code", code: "482913", link: LINK, expiresInMinutes: 10, newEmail: hostileEmail },
    { kind: "email_change_notice", newEmail: hostileEmail },
  ] as MailTemplate[])("escapes every interpolated value in $kind", (template) => {
    const { html } = renderMail(template, hostileAddress, hostileProduct);
    expect(html).not.toMatch(/<script|<img|onerror=alert\(2\)>|"><script/i);
    expect(html).toContain("&lt;script&gt;steal()&lt;/script&gt; &amp; Co");
    expect(html).toContain("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;@evil.test");
  });

  it("does not make a non-http link clickable", () => {
    const template: MailTemplate = {
      kind: "reset_password",
      code: "1",
      link: "javascript:alert(1)",
      expiresInMinutes: 5,
    };
    const { html } = renderMail(template, TO, PRODUCT);
    expect(html).not.toContain("href=");
    expect(html).toContain("javascript:alert(1)");
  });

  it("escapes a link that tries to break out of its attribute", () => {
    const link = 'https://app.test/r?t=1"><script>alert(3)</script>';
    const { html } = renderMail({ kind: "verify_email", code: "1", link, expiresInMinutes: 5 }, TO, PRODUCT);
    expect(html).not.toContain("<script");
    expect(html).toContain('href="https://app.test/r?t=1&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"');
  });
});
