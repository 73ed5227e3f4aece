// Lengths the services accept or record, stated once: anything longer is refused before any work
// (a token) or cut (a client's own description of itself).

/** Our refresh tokens are 43 characters; anything past this cannot be one and is refused unhashed. */
export const MAX_REFRESH_TOKEN_LENGTH = 512;
/** User-Agent strings are kept for the session list, cut to this many characters. */
export const MAX_USER_AGENT_LENGTH = 256;

/** The User-Agent as a session or challenge records it. */
export const recordedUserAgent = (userAgent: string | null): string | null =>
  userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null;
