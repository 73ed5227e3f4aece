// Twilio Programmable Messaging: POST https://api.twilio.com/2010-04-01/Accounts/{AccountSid}/Messages.json
// with HTTP Basic auth "AccountSid:AuthToken" and a form-encoded body: To, then From (a Twilio number
// or an alphanumeric sender ID) or MessagingServiceSid (MG…), and Body. Answers 201 {"sid": "SM…", …}.
// https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource

import { MESSAGING_SERVICE_SID } from "../config/sms-env";
import { accepted, deliverThroughProvider, readJsonString } from "../outbound/provider-request";
import type { SmsSender } from "./sms-sender";

const TWILIO_API = "https://api.twilio.com/2010-04-01";

export interface TwilioSmsOptions {
  accountSid: string;
  authToken: string;
  /** An E.164 number, an alphanumeric sender ID, or a Messaging Service SID. */
  from: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

export function twilioMessagesUrl(accountSid: string): string {
  return `${TWILIO_API}/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
}

export function createTwilioSmsSender(options: TwilioSmsOptions): SmsSender {
  const url = twilioMessagesUrl(options.accountSid);
  const authorization = `Basic ${btoa(`${options.accountSid}:${options.authToken}`)}`;
  const sender = MESSAGING_SERVICE_SID.test(options.from) ? "MessagingServiceSid" : "From";
  return {
    send: (message) => {
      const form = new URLSearchParams({ To: message.to, [sender]: options.from, Body: message.body });
      return deliverThroughProvider(
        {
          provider: "twilio",
          kind: message.kind,
          url,
          init: {
            method: "POST",
            headers: {
              Authorization: authorization,
              Accept: "application/json",
              "Content-Type": "application/x-www-form-urlencoded",
            },
            body: form.toString(),
          },
          fetch: options.fetch,
          timeoutMs: options.timeoutMs,
        },
        async (response) => accepted(await readJsonString(response, "sid")),
      );
    },
  };
}
