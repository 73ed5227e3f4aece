// The fuzz walk every dialect suite runs: each of its routes gets the inputs test/attack-fuzz.test.ts
// sends the native ones (bodies of its own shapes or anything at all, any content type, good and bad
// tokens), and must never answer a 5xx or an internal name, and refuse only in the dialect's JSON.
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DialectMount } from "../../src/config";
import { dialectRoutes, INTERNALS } from "./dialects";
import { fuzzCaseFor, requestOf, type Secrets, type Shape } from "./fuzz-inputs";

/** Asserts that a refusal's parsed body has the dialect's shape (`label` names the request). */
export type BodyCheck = (body: Record<string, unknown>, label: string, status: number) => void;

/** Never a 5xx or an internal name; a refusal with a body is JSON that `expectBody` accepts. */
export async function checkDialectAnswer(request: Request, response: Response, expectBody: BodyCheck): Promise<void> {
  const label = `${request.method} ${new URL(request.url).pathname}`;
  expect(response.status, label).toBeLessThan(500);
  const text = await response.text();
  expect(text, label).not.toMatch(INTERNALS);
  // A preflight's 204 and a HEAD carry no body.
  if (response.status < 400 || request.method === "HEAD") return;
  expect(response.headers.get("Content-Type"), label).toMatch(/^application\/json\b/);
  expectBody(JSON.parse(text) as Record<string, unknown>, `${label} ${text}`, response.status);
}

export interface DialectFuzz {
  mount: DialectMount;
  seed: number;
  runs: number;
  /** The request bodies its clients send to a route (by the router's path). */
  shapesOf(path: string): Shape[];
  /** A live account's secrets, made anew per route (a fuzzed logout may end the one before). */
  secrets(): Promise<Secrets>;
  expectBody: BodyCheck;
}

export const NO_BODY: Shape[] = [{ fields: [], required: [] }];

/** One test per route of the dialect, `runs` fuzzed requests each. */
export function fuzzEveryRoute(fuzz: DialectFuzz): void {
  describe(`fuzzing every ${fuzz.mount.name} route`, () => {
    dialectRoutes(fuzz.mount).forEach((route, index) => {
      it(`${route.method} ${route.path}: never 5xx, every 4xx ${fuzz.mount.name}'s JSON without a stack trace`, async () => {
        const secrets = await fuzz.secrets();
        await fc.assert(
          fc.asyncProperty(fuzzCaseFor(fuzz.shapesOf(route.path)), async (input) => {
            const request = requestOf(route, input, secrets);
            await checkDialectAnswer(request, await exports.default.fetch(request), fuzz.expectBody);
          }),
          { numRuns: fuzz.runs, seed: fuzz.seed + index },
        );
      }, 60_000);
    });
  });
}

/** The last segment of a route's path, by which most suites key their shapes. */
export const lastSegment = (path: string): string => path.split("/").filter(Boolean).at(-1) ?? "";
