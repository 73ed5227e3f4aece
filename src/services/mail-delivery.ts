// Sending mail from services: `sendMailNow` for mail the caller waits for (a failure is a clear
// 503 with nothing lost), `sendMailLater` for mail answering anonymous requests (after the
// response, so delivery time is no oracle).

import { fail, type Result, succeed } from "../errors";
import { type MailTemplate, renderMail } from "../mail/templates";
import type { RequestScope, ServiceContext } from "./context";

export async function sendMailNow(context: ServiceContext, to: string, template: MailTemplate): Promise<Result<void>> {
  const outcome = await context.mailer.send(renderMail(template, to, context.mail.productName));
  if (outcome.ok) return succeed(undefined);
  return fail("mail_unavailable", { reason: `mail ${template.kind} not sent: ${outcome.failure}` });
}

export function sendMailLater(context: ServiceContext, scope: RequestScope, to: string, template: MailTemplate): void {
  scope.defer(
    sendMailNow(context, to, template).then((result) => {
      if (!result.ok)
        console.error(JSON.stringify({ event: "mail_failed", kind: template.kind, reason: result.error.reason }));
    }),
  );
}

/** A link to the app's page (configured) or to this Worker's own page, with the token in the query. */
export function buildMailLink(base: string, token: string): string {
  const url = new URL(base);
  url.searchParams.set("token", token);
  return url.toString();
}
