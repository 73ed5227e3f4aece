// Ctrl-C for the import and export CLIs: the first SIGINT aborts `stop` (no new calls; those in flight
// finish and are recorded), a second SIGINT or a SIGTERM aborts `abort` (calls in flight are
// abandoned). Either way the CLI saves what it has and exits by itself, never mid-write.

export function interruptSignals() {
  const stop = new AbortController();
  const abort = new AbortController();
  process.on("SIGINT", () => {
    if (stop.signal.aborted) abort.abort();
    else stop.abort();
  });
  process.on("SIGTERM", () => {
    stop.abort();
    abort.abort();
  });
  return { stop: stop.signal, abort: abort.signal };
}
