// A provider that cannot be reached before anything is cached (this file's isolate has fetched no
// discovery document and no JWKS yet): 503 oauth_provider_unavailable with nothing written, and the
// failure is not cached, so the next request works once the provider is back. Tests run in order.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type FakeIdp, installFakeIdp } from "./support/fake-idp";
import { expectProblem } from "./support/http";
import { countWhere, credentialExchange, oidcPerson, startFlow, userByEmail } from "./support/oauth";

let fake: FakeIdp;
beforeEach(() => {
  fake = installFakeIdp();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("an unreachable provider", () => {
  it("answers authorize with 503, no flow and no cookie; then works once it is back", async () => {
    const flows = await countWhere("select count(*) as n from oauth_flows");
    fake.down = true;
    const refused = await startFlow("acme");
    await expectProblem(refused.response, 503, "oauth_provider_unavailable");
    expect(refused.response.headers.get("Set-Cookie")).toBeNull();
    expect(await countWhere("select count(*) as n from oauth_flows")).toBe(flows);
    fake.down = false;
    expect((await startFlow("acme")).response.status).toBe(302);
  });

  it("answers a credential exchange with 503 when the JWKS cannot be read, creating nothing", async () => {
    const person = oidcPerson({ nonce: "n-1" });
    const token = await fake.idToken("google", person);
    fake.down = true;
    await expectProblem(
      await credentialExchange("google", { id_token: token, nonce: "n-1" }),
      503,
      "oauth_provider_unavailable",
    );
    expect(await userByEmail(person.email)).toBeNull();
    fake.down = false;
    expect((await credentialExchange("google", { id_token: token, nonce: "n-1" })).status).toBe(201);
  });

  it("answers 503 when the provider's discovery is not JSON, and 503 for a timeout-like hang", async () => {
    const person = oidcPerson({ nonce: "n-1" });
    const token = await fake.idToken("microsoft", { ...person, tid: "t", oid: "o" });
    vi.restoreAllMocks();
    vi.spyOn(globalThis, "fetch").mockImplementation(
      async () => new Response("<html>maintenance</html>", { status: 200 }),
    );
    await expectProblem(
      await credentialExchange("microsoft", { id_token: token, nonce: "n-1" }),
      503,
      "oauth_provider_unavailable",
    );
    vi.restoreAllMocks();
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new DOMException("The operation timed out.", "TimeoutError"));
    await expectProblem(
      await credentialExchange("microsoft", { id_token: token, nonce: "n-1" }),
      503,
      "oauth_provider_unavailable",
    );
  });
});
