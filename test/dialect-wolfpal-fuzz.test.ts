// Fuzzing wolfpal's routes with the inputs test/attack-fuzz.test.ts sends the native ones (bodies of
// its own shapes or anything at all, any content type, good and bad tokens): never a 5xx, and every
// refusal wolfpal's own JSON (`{code, error}` or `{codes, errors}`), never a problem document or a
// stack trace.
import { expect } from "vitest";
import { fuzzEveryRoute, lastSegment, NO_BODY } from "./support/dialect-fuzz";
import { wolfpalAccount } from "./support/dialect-wolfpal";
import { ACCESS, EMAIL, REFRESH, type Shape } from "./support/fuzz-inputs";

/** wolfpal's request bodies, as its document and its SPA send them. */
const SHAPES: Record<string, Shape[]> = {
  register: [{ fields: ["username", "email", "password"], required: ["username", "email", "password"] }],
  login: [{ fields: ["email", "password"], required: ["email", "password"] }],
  "two-factor": [{ fields: ["token", "code"], required: ["token", "code"] }],
  refresh: [{ fields: ["refresh_token"], required: ["refresh_token"] }],
};
const isStringMap = (value: unknown) =>
  typeof value === "object" && value !== null && Object.values(value).every((entry) => typeof entry === "string");

fuzzEveryRoute({
  mount: { name: "wolfpal", prefix: "" },
  seed: 20_261_214,
  runs: 60,
  shapesOf: (path) => SHAPES[lastSegment(path)] ?? NO_BODY,
  async secrets() {
    const account = await wolfpalAccount();
    return { [ACCESS]: account.access_token, [REFRESH]: account.refresh_token, [EMAIL]: account.email };
  },
  expectBody(body, label) {
    if ("codes" in body) {
      expect(Object.keys(body), label).toEqual(["codes", "errors"]);
      expect(isStringMap(body.codes) && isStringMap(body.errors), label).toBe(true);
      expect(Object.keys(body.codes as object), label).toEqual(Object.keys(body.errors as object));
      return;
    }
    expect(Object.keys(body), label).toEqual(["code", "error"]);
    expect(typeof body.error, label).toBe("string");
  },
});
