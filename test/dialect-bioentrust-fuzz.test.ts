// Fuzzing BioEntrust's routes with the inputs test/attack-fuzz.test.ts sends the native ones (bodies
// of its own shapes or anything at all, any content type, good and bad tokens): never a 5xx, and every
// refusal BioEntrust's own JSON (`{"error"}` or `{"status": "error", "message"}`), never a problem
// document or a stack trace.
import { expect } from "vitest";
import { bioAccount } from "./support/dialect-bioentrust";
import { fuzzEveryRoute, lastSegment, NO_BODY } from "./support/dialect-fuzz";
import { ACCESS, EMAIL, REFRESH, type Shape } from "./support/fuzz-inputs";

const CODE: Shape[] = [
  { fields: ["otp", "otp_request_id", "app_id"], required: ["otp", "otp_request_id"] },
  { fields: ["code", "otp_request_id"], required: ["code"] },
];
/** BioEntrust's request bodies, as its document shows them. */
const SHAPES: Record<string, Shape[]> = {
  signup: [{ fields: ["first_name", "last_name", "email", "password"], required: ["email", "password"] }],
  signin: [{ fields: ["email", "password"], required: ["email", "password"] }],
  "verify-email": CODE,
  verify_email: CODE,
  "verify-sms": CODE,
  verify_sms: CODE,
  "forgot-password": [{ fields: ["email", "password"], required: ["email"] }],
  "reset-password": [{ fields: ["email", "password"], required: ["password"] }],
};
fuzzEveryRoute({
  mount: { name: "bioentrust", prefix: "" },
  seed: 20_261_215,
  runs: 50,
  shapesOf: (path) => SHAPES[lastSegment(path)] ?? NO_BODY,
  async secrets() {
    const account = await bioAccount();
    return { [ACCESS]: account.access, [REFRESH]: account.refresh, [EMAIL]: account.email };
  },
  expectBody(body, label) {
    if ("status" in body) {
      expect(Object.keys(body), label).toEqual(["status", "message"]);
      expect(typeof body.message, label).toBe("string");
    } else {
      expect(Object.keys(body), label).toEqual(["error"]);
      expect(typeof body.error, label).toBe("string");
    }
  },
});
