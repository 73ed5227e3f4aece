// The dialect framework: DIALECTS and DIALECT_<NAME>_PREFIX are read once and fail closed (naming the
// variable), mounts that would share a path are refused, none is served unless configured, and a
// mounted dialect answers where its prefix puts it, with the CORS request headers its clients send.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DIALECT_NAMES, DIALECT_PATHS, isTree, pathsOverlap } from "../src/config/dialect-paths";
import { overlappingMounts } from "../src/config/dialects-env";
import { PASSWORD, uniqueEmail } from "./support/accounts";
import { configWith, refusalOf } from "./support/config";
import { dialectRoutes, expectDialectError } from "./support/dialects";
import { APP_ORIGIN, callWith, expectProblem } from "./support/http";

describe("DIALECTS and the mount prefixes", () => {
  it("serves none when DIALECTS is unset or blank: production's default", () => {
    expect(configWith({ DIALECTS: undefined }).dialects).toEqual([]);
    expect(configWith({ DIALECTS: " " }).dialects).toEqual([]);
  });

  it("reads a comma list, spaces and repeats forgiven, each at its own paths by default", () => {
    expect(configWith({ DIALECTS: " crema , crema," }).dialects).toEqual([{ name: "crema", prefix: "" }]);
    expect(configWith({ DIALECTS: "crema", DIALECT_CREMA_PREFIX: "/legacy/v0" }).dialects).toEqual([
      { name: "crema", prefix: "/legacy/v0" },
    ]);
  });

  it.each(["cremaa", "Crema", "crema;nap", "*"])("refuses %s, naming DIALECTS but not repeating it", (value) => {
    const message = refusalOf({ DIALECTS: value });
    expect(message).toContain("DIALECTS must list only crema, bookings, nap, wolfpal, bioentrust");
    if (value.length > 3) expect(message).not.toContain(value);
  });

  it("serves every dialect of the contract, all five together at their own paths", () => {
    expect(configWith({ DIALECTS: DIALECT_NAMES.join(",") }).dialects).toEqual(
      DIALECT_NAMES.map((name) => ({ name, prefix: "" })),
    );
  });

  it.each(["legacy", "/legacy/", "/", "/..", "/a/../b", "/.hidden", "/a b", "/%2e", "/x?y", `/${"a".repeat(70)}`])(
    "refuses the prefix %s, naming its variable",
    (prefix) => {
      expect(refusalOf({ DIALECTS: "crema", DIALECT_CREMA_PREFIX: prefix })).toContain("DIALECT_CREMA_PREFIX");
    },
  );

  it.each(["/v1", "/dev", "/docs"])("refuses a mount inside the native API's paths (%s)", (prefix) => {
    expect(refusalOf({ DIALECTS: "crema", DIALECT_CREMA_PREFIX: prefix })).toContain(
      "DIALECT_CREMA_PREFIX mounts crema on the native API's paths",
    );
  });
});

describe("overlapping mounts", () => {
  it("finds none with all five dialects at their own paths: the contract's paths fit side by side", () => {
    expect(overlappingMounts(DIALECT_NAMES.map((name) => ({ name, prefix: "" })))).toEqual([]);
  });

  it("refuses two dialects a prefix puts on the same path, naming both variables", () => {
    // wolfpal's /auth/login under /api is NAP's /api/auth/login.
    expect(
      overlappingMounts([
        { name: "nap", prefix: "" },
        { name: "wolfpal", prefix: "/api" },
      ]),
    ).toEqual(["DIALECT_NAP_PREFIX and DIALECT_WOLFPAL_PREFIX mount nap and wolfpal on a shared path"]);
  });

  it("compares paths segment by segment: parameters match any segment, trailing slashes count, trees hold all below", () => {
    expect(pathsOverlap("/api/auth/flow/:flowId", "/api/auth/flow/abc")).toBe(true);
    expect(pathsOverlap("/auth/register", "/auth/register/")).toBe(false);
    expect(pathsOverlap("/api/auth", "/api/auth/login")).toBe(false);
    expect(pathsOverlap("/v1/*", "/v1")).toBe(true);
    expect(pathsOverlap("/v1/*", "/v1/api/v1/users")).toBe(true);
    expect(pathsOverlap("/api/v1/*", "/x/api/v1/*")).toBe(false);
    expect(pathsOverlap("/a/*", "/a/b/*")).toBe(true);
    expect(pathsOverlap("/a/b/*", "/a")).toBe(false);
  });
});

describe("mounting", () => {
  it("mounts exactly the paths config declares for crema, so overlap checks see what is served", () => {
    const served = new Set(dialectRoutes({ name: "crema", prefix: "" }).map((route) => route.path));
    const declared = DIALECT_PATHS.crema.paths.filter((path) => !isTree(path));
    expect([...served].sort()).toEqual([...declared].sort());
  });

  it("serves nothing on crema's paths when DIALECTS is unset: the native 404 problem", async () => {
    const off = { ...env, DIALECTS: undefined };
    const response = await callWith(off, "POST", "/api/v1/users", { json: { name: "jose" } });
    await expectProblem(response, 404, "not_found");
  });

  it("serves crema under its prefix, and only there", async () => {
    const prefixed = { ...env, DIALECT_CREMA_PREFIX: "/legacy" };
    const json = { name: "jose", email: uniqueEmail("prefixed"), password: PASSWORD };
    const created = await callWith(prefixed, "POST", "/legacy/api/v1/users", { json });
    expect(created.status).toBe(200);
    await expectDialectError(await callWith(prefixed, "GET", "/legacy/api/v1/users"), 405, {
      error: "Method not allowed.",
    });
    await expectProblem(await callWith(prefixed, "POST", "/api/v1/users", { json }), 404, "not_found");
  });

  it("refuses every request, as any bad config does, when DIALECTS is wrong", async () => {
    const broken = { ...env, DIALECTS: "crema,unknown" };
    await expectProblem(await callWith(broken, "POST", "/api/v1/users", { json: {} }), 500, "internal_error");
  });
});

describe("CORS for crema's SPA", () => {
  const preflight = (bindings: typeof env) =>
    callWith(bindings, "OPTIONS", "/api/auth", {
      headers: {
        Origin: APP_ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "access-control-allow-origin, authorization, content-type",
      },
    });

  it("accepts the access-control-allow-origin request header its SPA sends, for allowlisted origins only", async () => {
    const response = await preflight(env);
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe(APP_ORIGIN);
    const allowed = (response.headers.get("Access-Control-Allow-Headers") ?? "").toLowerCase().split(/\s*,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(["access-control-allow-origin", "authorization", "content-type"]));
  });

  it("does not name that header where crema is not mounted", async () => {
    const response = await preflight({ ...env, DIALECTS: undefined });
    expect((response.headers.get("Access-Control-Allow-Headers") ?? "").toLowerCase()).not.toContain(
      "access-control-allow-origin",
    );
  });
});
