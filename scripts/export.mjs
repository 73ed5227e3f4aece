#!/usr/bin/env node
// `npm run export -- --url … [--key …] [--out users.jsonl]`: every user out of edge-auth as JSON Lines
// through the admin export API. The work is in scripts/import/run-export.mjs; this file only wires it
// to the process (arguments, environment, streams, Ctrl-C, exit code).

import { runExport } from "./import/run-export.mjs";
import { interruptSignals } from "./import/signals.mjs";

// A reader that stops early (`npm run export | head`) closes the pipe: the lines it wanted were
// written, so end quietly instead of with a stack trace, as command-line tools do on a closed pipe.
process.stdout.on("error", (error) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(0);
});

process.exitCode = await runExport({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  ...interruptSignals(),
});
