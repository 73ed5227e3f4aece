#!/usr/bin/env node
// `npm run import -- <users.jsonl|users.csv> --url … [--key …]`: users into edge-auth through the admin
// import API, resumable, with a rejects file. The work is in scripts/import/run-import.mjs; this file
// only wires it to the process (arguments, environment, streams, Ctrl-C, exit code).

import { runImport } from "./import/run-import.mjs";
import { interruptSignals } from "./import/signals.mjs";

process.exitCode = await runImport({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  ...interruptSignals(),
});
