// The person a provider vouches for, reduced to what account resolution needs: the provider's stable
// subject (OIDC `sub`; Entra's `tid:oid`, never the mutable email or the per-app `sub`; GitHub's
// numeric id) and an email with whether the provider asserts it is verified. A string
// `email_verified` counts only as "true" (Apple sends strings); anything else is unverified.

import type { JWTPayload } from "jose";
import type { OAuthProvider } from "../../config";
import { fail, type Result, succeed } from "../../errors";
import { normalizeEmail } from "../identifiers";

export interface ExternalIdentity {
  provider: string;
  subject: string;
  /** Normalized; null when the provider gave none (or one that is not an address). */
  email: string | null;
  emailVerified: boolean;
}

/** Subjects are ids, not prose: bounded, printable. */
const SUBJECT = /^[\x21-\x7e]{1,255}$/;

const asserted = (claim: unknown): boolean => claim === true || claim === "true";

export function identityFromClaims(provider: OAuthProvider, claims: JWTPayload): Result<ExternalIdentity> {
  let subject: string | undefined;
  if (provider.subject === "tid_oid") {
    const { tid, oid } = claims as { tid?: unknown; oid?: unknown };
    // The tenant must be the one whose issuer signed (jose checked `iss`): the subject is keyed on it.
    const ownTenant = typeof tid === "string" && provider.issuer.toLowerCase().includes(`/${tid.toLowerCase()}/`);
    subject = ownTenant && typeof oid === "string" ? `${tid}:${oid}` : undefined;
  } else {
    // A number or boolean would pass the pattern as text and bind as another subject's string.
    subject = typeof claims.sub === "string" ? claims.sub : undefined;
  }
  if (!subject || !SUBJECT.test(subject))
    return fail("oauth_credential_invalid", { reason: "id_token without a subject" });
  const email = typeof claims.email === "string" ? normalizeEmail(claims.email) : null;
  // Entra's `email` is whatever the tenant typed (nOAuth): verified only when the domain owner says so.
  const verified =
    provider.subject === "tid_oid"
      ? asserted(claims.xms_edov) || claims.xms_edov === "1"
      : asserted(claims.email_verified);
  return succeed({ provider: provider.name, subject, email, emailVerified: email !== null && verified });
}
