// The Worker's entry, as `wrangler deploy` bundles it: the HTTP app and the Cron Trigger's data
// retention as the default export, and the RPC entrypoint for other Workers. The dev-only identity
// provider is not here (src/dev.ts), so none of its code ships.

import { createWorker } from "./worker";

export { AuthService } from "./rpc/auth-service";

export default createWorker();
