// Command-line options of `npm run bench -- [options]`, each bounded so a run always ends.
import { parseArgs } from "node:util";
import { parseOnly } from "./only.mjs";

export const USAGE = `npm run bench -- [options]
  --peers               also run the Better Auth peer (bench/peers/better-auth) and print ratios
  --soak                a 2-minute soak (same as --soak-seconds 120)
  --soak-seconds N      soak length in seconds, 0 to skip (default 30)
  --soak-warmup-seconds N  unjudged traffic before the soak (default 180)
  --duration N          seconds per throughput scenario (default 10)
  --hash-requests N     requests per password-hashing scenario (default 30)
  --profile             after measuring, CPU-profile the main scenarios (where the time goes)
  --prefilled           login, /v1/me, refresh and code verification on an empty D1 and on one prefilled
                        with 1M users, 2M sessions and refresh tokens, 1M code rows (bench/lib/prefill.mjs)
  --only a,b            only these scenarios, and their ratios: the verify-related ones (issue 16): health,
                        token_verify, token_verify_cold, me, consumer_noop, rpc_floor, rpc_verify, bare_jose_verify;
                        the user import's (issue 15): import, first_login
  --unminified          measure an unminified bundle (readable function names in --profile)
  --out PATH            where to write the figures (default bench/results/latest.json)
  --help`;

function boundedInteger(text, name, min, max) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`--${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function readOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      peers: { type: "boolean", default: false },
      soak: { type: "boolean", default: false },
      "soak-seconds": { type: "string" },
      "soak-warmup-seconds": { type: "string" },
      duration: { type: "string", default: "10" },
      "hash-requests": { type: "string", default: "30" },
      out: { type: "string" },
      profile: { type: "boolean", default: false },
      prefilled: { type: "boolean", default: false },
      only: { type: "string" },
      unminified: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  const soakDefault = values.soak ? "120" : "30";
  const soakSeconds = boundedInteger(values["soak-seconds"] ?? soakDefault, "soak-seconds", 0, 1800);
  return {
    help: values.help,
    peers: values.peers,
    profile: values.profile,
    prefilled: values.prefilled,
    durationSeconds: boundedInteger(values.duration, "duration", 1, 120),
    hashRequests: boundedInteger(values["hash-requests"], "hash-requests", 20, 500),
    soakSeconds,
    soakWarmupSeconds: boundedInteger(values["soak-warmup-seconds"] ?? "180", "soak-warmup-seconds", 0, 1800),
    only: parseOnly(values.only),
    unminified: values.unminified,
    out: values.out ?? "bench/results/latest.json",
    outGiven: values.out !== undefined,
  };
}
