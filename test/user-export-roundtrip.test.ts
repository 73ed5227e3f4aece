// The export round-trips through the import (issue 15): its lines are import rows. Deleted and
// imported from the export, users come back with the same ids, a second export reads the same lines,
// and they sign in with their passwords as before. Over the users still there, the lines conflict.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "./support/http";
import { BCRYPT_10 } from "./support/legacy-hashes";
import { cursorBefore, type ExportLine, exportFrom } from "./support/user-export";
import { importUsers, sharedAdminKey, uniqueRow } from "./support/user-import";

/** This file's users only (the D1 is shared with other files), without the moving `updated_at`. */
async function exportOf(emails: string[], since: number): Promise<ExportLine[]> {
  const { lines } = await exportFrom(await sharedAdminKey(), cursorBefore(since), 1000);
  return lines
    .filter((line) => emails.includes(line.email))
    .map(({ updated_at: _, ...line }) => line as ExportLine)
    .sort((a, b) => a.email.localeCompare(b.email));
}

describe("export → import", () => {
  it("conflicts over the users still there, and restores deleted users with the same ids and passwords", async () => {
    const since = Math.floor(Date.now() / 1000) - 5;
    const rows = [
      uniqueRow({ email_verified: true, password_hash: BCRYPT_10.stored, name: "Ada", created_at: since }),
      uniqueRow({ password: "an imported passphrase", first_name: "Grace", created_at: since }),
      uniqueRow({ identities: [{ provider: "github", subject: `gh-${crypto.randomUUID()}` }], created_at: since }),
    ];
    const first = await importUsers(rows);
    expect(first.created).toBe(3);
    const emails = rows.map((row) => String(row.email));
    const exported = await exportOf(emails, since);
    expect(exported).toHaveLength(3);

    // Over the users it came from, an export line is not the row they were imported from (it holds
    // our id and hash): each is reported as a conflict, and nothing is written over.
    const again = await importUsers(exported);
    expect(again.results.map((result) => result.error?.code)).toEqual(["id_taken", "id_taken", "id_taken"]);
    expect(await exportOf(emails, since)).toEqual(exported);

    const ids = exported.map((line) => line.id);
    for (const id of ids) await env.DB.prepare("delete from users where id = ?").bind(id).run();
    const restored = await importUsers(exported);
    expect(restored.results.map((result) => result.status)).toEqual(["created", "created", "created"]);
    expect(restored.results.map((result) => result.user_id)).toEqual(ids);
    expect(await exportOf(emails, since)).toEqual(exported);

    const bcryptUser = exported.find((line) => line.name === "Ada");
    const login = await call("POST", "/v1/login", { json: { email: bcryptUser?.email, password: BCRYPT_10.password } });
    expect(login.status).toBe(200);
    const plaintextUser = exported.find((line) => line.first_name === "Grace");
    const second = await call("POST", "/v1/login", {
      json: { email: plaintextUser?.email, password: "an imported passphrase" },
    });
    expect(second.status).toBe(200);
  });
});
