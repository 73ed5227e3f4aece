// The CLIs' progress line (scripts/import/progress.mjs) with a clock the test moves: on a terminal a
// redrawn bar with done/estimated total, rows/s and ETA; elsewhere a plain line at most every interval.

import { describe, expect, it } from "vitest";
import { createProgress, formatDuration } from "../../scripts/import/progress.mjs";

function fakeStream(isTTY) {
  const writes = [];
  return { isTTY, writes, write: (text) => writes.push(text) };
}

describe("progress", () => {
  it("on a terminal redraws one bar with the total estimated from the bytes read, the rate and the ETA", () => {
    let now = 0;
    const stream = fakeStream(true);
    const progress = createProgress({ stream, label: "import", unit: "rows", totalBytes: 1000, now: () => now });
    now = 10_000;
    // 250 of 1000 bytes held 100 rows: about 400 in all; 100 rows in 10 s: 300 left take 30 s.
    progress.update({ done: 100, fresh: 100, read: 100, bytes: 250, detail: "created 100" });
    expect(stream.writes).toEqual([
      "\rimport: [######------------------]  25% 100/~400 rows  10 rows/s  ETA 00:30  created 100\u001b[K",
    ]);
    progress.note("lines 1–5: HTTP 429, retry 1 in 1.0 s");
    expect(stream.writes.at(-1)).toBe("\r\u001b[Kimport: lines 1–5: HTTP 429, retry 1 in 1.0 s\n");
    progress.finish({ done: 400, fresh: 400, read: 400, bytes: 1000 });
    expect(stream.writes.slice(-2)).toEqual([
      "\rimport: [########################] 100% 400/~400 rows  40 rows/s  ETA 00:00\u001b[K",
      "\n",
    ]);
  });

  it("elsewhere writes a plain line at most every interval, without the bar", () => {
    let now = 0;
    const stream = fakeStream(false);
    const progress = createProgress({ stream, label: "export", unit: "users", intervalMs: 5000, now: () => now });
    now = 1000;
    progress.update({ done: 10 });
    now = 5000;
    progress.update({ done: 50, detail: "5 pages" });
    now = 6000;
    progress.update({ done: 60 });
    expect(stream.writes).toEqual(["export: 50 users, 10 users/s, 5 pages\n"]);
  });

  it("formats durations as mm:ss or h:mm:ss, and an unknown one as --:--", () => {
    expect(formatDuration(65)).toBe("01:05");
    expect(formatDuration(3725)).toBe("1:02:05");
    expect(formatDuration(Number.NaN)).toBe("--:--");
  });
});
