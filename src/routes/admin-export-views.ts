// The export's JSON lines: one import row per user (snake_case, RFC 3339 times, empty fields left out
// so a line imports unchanged), and the page as a ReadableStream that encodes one line per pull, so
// the response never holds the page twice as one large string.

import type { ExportedUser } from "../services/user-export";

const isoTime = (seconds: number) => new Date(seconds * 1000).toISOString();

/** Only the fields that have a value: the import reads an absent field as "none". */
const present = <T>(name: string, value: T | null) => (value === null ? {} : { [name]: value });

export function toExportLine(user: ExportedUser) {
  return {
    id: user.id,
    email: user.email,
    email_verified: user.emailVerified,
    ...present("username", user.username),
    ...present("name", user.name),
    ...present("first_name", user.firstName),
    ...present("last_name", user.lastName),
    ...present("phone", user.phone),
    phone_verified: user.phoneVerified,
    ...present("password_hash", user.passwordHash),
    ...present("legacy_id", user.legacyId),
    disabled: user.disabled,
    created_at: isoTime(user.createdAt),
    updated_at: isoTime(user.updatedAt),
    identities: user.identities.map((identity) => ({
      provider: identity.provider,
      subject: identity.subject,
      ...present("email", identity.email),
    })),
    factors: {
      totp: user.factors.totp,
      sms: user.factors.sms,
      recovery_codes: user.factors.recoveryCodes,
    },
  };
}

/** `users` as JSON Lines, each line ending in "\n", encoded one line per pull. */
export function exportStream(users: readonly ExportedUser[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const user = users[next++];
      if (user === undefined) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(`${JSON.stringify(toExportLine(user))}\n`));
    },
  });
}
