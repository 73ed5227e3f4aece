// Progress on stderr for the import and export CLIs: on a terminal one redrawn line (a bar, done of an
// estimated total, per-second rate, ETA); otherwise (a log, CI) a plain line every few seconds. The
// import's total is estimated from the bytes read so far, so a file of any size needs no counting
// pass. Counts only: never a row's content.

const BAR_WIDTH = 24;

export function formatDuration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/**
 * `label` starts each line ("import"), `unit` names what is counted ("rows"); `totalBytes` (0 when
 * unknown) lets the total be estimated. `update(stats)` redraws at most every `intervalMs`, where
 * stats are `{ done, fresh, read, bytes, detail }`: finished units (with those an earlier run did),
 * those finished by this run (the rate), units read so far, bytes read so far, and a closing text.
 */
export function createProgress({ stream, label, unit, totalBytes = 0, intervalMs, now = () => Date.now() }) {
  const tty = Boolean(stream.isTTY);
  const every = intervalMs ?? (tty ? 100 : 5000);
  const started = now();
  let last = started;
  let drawn = false;

  const render = ({ done, fresh = done, read = done, bytes = 0, detail = "" }) => {
    const elapsed = (now() - started) / 1000;
    const rate = elapsed > 0 ? fresh / elapsed : 0;
    const total = totalBytes > 0 && bytes > 0 ? Math.max(read, Math.round((read * totalBytes) / bytes)) : null;
    const parts = [total === null ? `${done} ${unit}` : `${done}/~${total} ${unit}`, `${Math.round(rate)} ${unit}/s`];
    if (total !== null) parts.push(`ETA ${formatDuration(rate > 0 ? (total - done) / rate : Number.NaN)}`);
    if (detail) parts.push(detail);
    if (!tty || total === null) return `${tty ? "\r" : ""}${label}: ${parts.join(", ")}${tty ? "\u001b[K" : "\n"}`;
    const fraction = Math.min(1, total > 0 ? done / total : 1);
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
    return `\r${label}: ${bar} ${parts.join("  ")}\u001b[K`;
  };

  return {
    update(stats) {
      const t = now();
      if (t - last < every) return;
      last = t;
      drawn = true;
      stream.write(render(stats));
    },
    /** A message on a line of its own (a retry, a warning), clearing the bar first. */
    note(message) {
      stream.write(`${tty && drawn ? "\r\u001b[K" : ""}${label}: ${message}\n`);
      drawn = false;
    },
    /** The last progress line, kept on screen. */
    finish(stats) {
      stream.write(render(stats));
      if (tty) stream.write("\n");
      drawn = false;
    },
  };
}
