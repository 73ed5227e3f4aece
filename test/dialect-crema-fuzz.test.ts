// Fuzzing crema's routes with the inputs test/attack-fuzz.test.ts sends the native ones (bodies of its
// own shapes or anything at all, any content type, good and bad tokens): never a 5xx, and every
// refusal crema's own JSON (`{"error"}` or `{"msg"}`), never a problem document or a stack trace.
import { expect } from "vitest";
import { fuzzEveryRoute, lastSegment, NO_BODY } from "./support/dialect-fuzz";
import { cremaSignUp } from "./support/dialects";
import { ACCESS, EMAIL, REFRESH, type Shape } from "./support/fuzz-inputs";

/** crema's request bodies, as its document and its SPA send them. */
const SHAPES: Record<string, Shape[]> = {
  users: [{ fields: ["name", "email", "password"], required: ["name", "email", "password"] }],
  auth: [
    { fields: ["email", "password"], required: ["email", "password"] },
    { fields: ["name", "password"], required: ["name", "password"] },
  ],
};
fuzzEveryRoute({
  mount: { name: "crema", prefix: "" },
  seed: 20_261_211,
  runs: 60,
  shapesOf: (path) => SHAPES[lastSegment(path)] ?? NO_BODY,
  async secrets() {
    const account = await cremaSignUp();
    return { [ACCESS]: account.token, [REFRESH]: account.refresh_token, [EMAIL]: account.email };
  },
  expectBody(body, label) {
    expect(Object.keys(body).length, label).toBe(1);
    expect(typeof (body.error ?? body.msg), label).toBe("string");
  },
});
