// Request and response schemas of the phone endpoints. Strict, like all; openapi.ts imports this file
// so each `.meta({ id })` lands in the document.

import * as z from "zod";

export const PhoneBody = z
  .strictObject({
    phone: z
      .string()
      .max(32)
      .meta({
        description: "E.164: + and 8 to 15 digits, no leading 0. Spaces, dots, dashes and parentheses are ignored.",
        examples: ["+14155552671"],
      }),
  })
  .meta({ id: "PhoneRequest" });

export const PhoneVerifyBody = z
  .strictObject({
    otp_request_id: z.uuid().meta({ description: "The otp_request_id POST /v1/phone answered." }),
    code: z
      .string()
      .min(1)
      .max(16)
      .meta({ examples: ["042917"] }),
  })
  .meta({ id: "PhoneVerifyRequest" });
