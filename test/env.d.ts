// Types of the bindings the tests see (`env`) and of the main module's exports (`exports`).
import type { Bindings } from "../src/bindings";

declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof import("../src/dev");
    }
    interface Env extends Bindings {
      TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
      SIGNING_KEYS: string;
    }
  }
}
