// The Worker as `npm run dev`, the tests and the bench run it: src/index.ts plus the dev identity
// provider (/dev/idp/…, OAUTH_DEV_PROVIDER, which config allows on a local issuer only), so the
// social-login redirect flow can be clicked through offline. Never deployed: wrangler.toml's main is
// src/index.ts, and scripts/bundle-size.mjs checks the deployable bundle has none of this.

import { devIdpRoutes } from "./routes/dev-idp-routes";
import { devIdpBackChannel } from "./services/oauth/dev-idp-channel";
import { installDevIdpChannel } from "./services/oauth/dev-idp-slot";
import { createWorker } from "./worker";

export { AuthService } from "./rpc/auth-service";

/** The routes only the dev build mounts (the tests that walk every route walk these too). */
export const DEV_ROUTES = [devIdpRoutes];

installDevIdpChannel(devIdpBackChannel);

export default createWorker(DEV_ROUTES);
