// The dialects' policy knobs are read with the rest of the config and fail closed (naming the
// variable, never its value), and /openapi.json documents each mounted dialect under its own tag,
// at its mounted paths, with every operation's responses, and only the dialects that are mounted.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DIALECT_NAMES, DIALECT_PATHS, isTree } from "../src/config/dialect-paths";
import { configWith, refusalOf } from "./support/config";
import { APP_ORIGIN, call, callWith, readJson } from "./support/http";

describe("the dialects' policy knobs", () => {
  it("default to the documents' own behaviour", () => {
    expect(configWith({}).dialectPolicy).toEqual({
      bookingsUnknownReset: "not_found",
      wolfpalUnconfirmedLogin: true,
      napApiKeys: [],
      napApiKeyRequired: false,
      bioentrustProductName: "BioEntrust",
      napOrgsRequired: false,
    });
  });

  it("read what is set", () => {
    const key = "nap-client-key-0123456789";
    const policy = configWith({
      DIALECT_BOOKINGS_UNKNOWN_RESET: "ok",
      DIALECT_WOLFPAL_UNCONFIRMED_LOGIN: "false",
      DIALECT_NAP_API_KEYS: ` ${key} , other-client-key-98765 ,`,
      DIALECT_BIOENTRUST_PRODUCT_NAME: "Acme",
      DIALECT_NAP_ORGS_REQUIRED: "true",
    }).dialectPolicy;
    expect(policy).toEqual({
      bookingsUnknownReset: "ok",
      wolfpalUnconfirmedLogin: false,
      napApiKeys: [key, "other-client-key-98765"],
      napApiKeyRequired: true,
      bioentrustProductName: "Acme",
      napOrgsRequired: true,
    });
  });

  it.each([
    ["DIALECT_BOOKINGS_UNKNOWN_RESET", "404"],
    ["DIALECT_WOLFPAL_UNCONFIRMED_LOGIN", "yes"],
    ["DIALECT_NAP_API_KEYS", "short"],
    ["DIALECT_NAP_API_KEYS", "a key with spaces in it"],
    ["DIALECT_BIOENTRUST_PRODUCT_NAME", "x".repeat(101)],
    ["DIALECT_NAP_ORGS_REQUIRED", "sometimes"],
  ])("refuses %s=%s, naming the variable but not its value", (variable, value) => {
    const message = refusalOf({ [variable]: value });
    expect(message).toContain(variable);
    if (variable === "DIALECT_NAP_API_KEYS") expect(message).not.toContain(value);
  });
});

interface OpenApi {
  tags: { name: string }[];
  paths: Record<string, Record<string, { tags: string[]; responses: Record<string, unknown> }>>;
}

const operationsTagged = (document: OpenApi, tag: string) =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([, operation]) => operation.tags.includes(tag))
      .map(([method]) => `${method.toUpperCase()} ${path}`),
  );

describe("/openapi.json and the dialects", () => {
  it("documents every mounted dialect under its own tag, each of its routes", async () => {
    const document = await readJson<OpenApi>(await call("GET", "/openapi.json"));
    expect(document.tags.map((tag) => tag.name)).toEqual(["v1", ...DIALECT_NAMES]);
    for (const name of DIALECT_NAMES) {
      const documented = new Set(operationsTagged(document, name).map((key) => key.split(" ")[1]));
      const declared = DIALECT_PATHS[name].paths.filter((path) => !isTree(path));
      // OpenAPI writes a parameter {flowId} where the router writes :flowId.
      expect([...documented].sort(), name).toEqual(declared.map((path) => path.replace(/:(\w+)/g, "{$1}")).sort());
    }
    for (const methods of Object.values(document.paths)) {
      for (const operation of Object.values(methods))
        expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
    }
  });

  it("documents a dialect at its prefix, and none that is not mounted", async () => {
    const bindings = { ...env, DIALECTS: "crema", DIALECT_CREMA_PREFIX: "/legacy" };
    const document = await readJson<OpenApi>(await callWith(bindings, "GET", "/openapi.json"));
    expect(document.tags.map((tag) => tag.name)).toEqual(["v1", "crema"]);
    const crema = operationsTagged(document, "crema");
    expect(crema).toContain("POST /legacy/api/v1/users");
    expect(crema.every((key) => key.split(" ")[1]?.startsWith("/legacy/"))).toBe(true);
  });
});

describe("CORS preflights for the dialects' SPAs", () => {
  // What their clients really send (DIALECTS.md rule 8): crema's SPA names a response header as a
  // request header, NAP's SDK its own X-NAP-* headers.
  const REQUEST_HEADERS = [
    "authorization",
    "content-type",
    "access-control-allow-origin",
    "x-nap-session-token",
    "x-nap-refresh-token",
    "x-nap-api-key",
  ];

  it.each([
    ["POST", "/api/auth/refresh"],
    ["POST", "/auth/token/"],
    ["DELETE", "/user/signout"],
    ["POST", "/auth/login"],
  ])("accepts their headers on %s %s, for an allowlisted origin", async (method, path) => {
    const response = await call("OPTIONS", path, {
      headers: {
        Origin: APP_ORIGIN,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": REQUEST_HEADERS.join(", "),
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe(APP_ORIGIN);
    const allowed = (response.headers.get("Access-Control-Allow-Headers") ?? "").toLowerCase().split(/\s*,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(REQUEST_HEADERS));
    expect(response.headers.get("Access-Control-Allow-Methods")).toContain(method);
  });

  it("names no origin that is not allowlisted", async () => {
    const response = await call("OPTIONS", "/api/auth/login", {
      headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" },
    });
    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});
