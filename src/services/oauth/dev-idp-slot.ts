// The one seam between the core and the dev identity provider. Only the dev build has the provider:
// src/dev.ts (what `npm run dev` and the tests run) installs its back channel here, and src/index.ts
// (what `wrangler deploy` bundles) never imports it, so none of its code ships to production. With
// nothing installed, the core knows no provider `dev` even if OAUTH_DEV_PROVIDER is set.

import type { ServiceContext } from "../context";

export interface DevIdpChannel {
  /** Answers the core's requests for this Worker's own /dev/idp in process; others go to `next`. */
  wrapFetch(context: ServiceContext, next: typeof fetch): typeof fetch;
}

let installed: DevIdpChannel | null = null;

export function installDevIdpChannel(channel: DevIdpChannel): void {
  installed = channel;
}

export const devIdpChannel = (): DevIdpChannel | null => installed;
