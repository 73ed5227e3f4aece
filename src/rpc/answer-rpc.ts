// The one place RPC methods meet thrown errors. Across a service binding a thrown error keeps only its
// name and message (which may quote SQL or a variable), and every caller would need a try/catch: so a
// storage or config failure becomes the method's own typed result, and its reason goes to the log.

import type { Bindings } from "../bindings";
import { getServiceContext } from "../context";
import type { ServiceContext } from "../services/context";
import { classifyUnexpectedError, type UnexpectedFailureCode } from "../unexpected-error";

/**
 * Runs `work` with the service context (building it may throw a ConfigError too) and answers what it
 * returns, or `failed(code)` if anything throws.
 */
export async function answerRpc<T>(
  env: Bindings,
  method: string,
  failed: (code: UnexpectedFailureCode) => T,
  work: (context: ServiceContext) => Promise<T>,
): Promise<T> {
  try {
    return await work(await getServiceContext(env));
  } catch (error) {
    const { code, reason } = classifyUnexpectedError(error);
    console.error(JSON.stringify({ event: "rpc_error", method, code, reason }));
    return failed(code);
  }
}
