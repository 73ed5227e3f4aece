// Moves the clock the Worker reads, instead of waiting for the wall clock. The Worker's fetch handler
// and its AuthService entrypoint run in the test's own isolate (test/clock.test.ts proves it), so a
// faked Date here is ServiceContext.now, and the time handed to every access-token check, for each
// request the test makes. D1 keeps no clock of its own here (the Worker writes times as numbers) and
// KV TTLs are relative; the rate-limit binding's windows run on the runtime's real clock and do not move.
import { onTestFinished, vi } from "vitest";

/** Stops the clock at `seconds` (Unix; default now) until the test ends, and answers that time. */
export function freezeClock(seconds = Math.floor(Date.now() / 1000)): number {
  // Only Date: real timers keep I/O, retries and the runtime's own waits working.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(seconds * 1000);
  onTestFinished(() => {
    vi.useRealTimers();
  });
  return seconds;
}

/** Moves a frozen clock `seconds` forward (or back), and answers the new time. */
export function advanceClock(seconds: number): number {
  if (!vi.isFakeTimers()) throw new Error("advanceClock needs freezeClock first");
  const next = Math.floor(Date.now() / 1000) + seconds;
  vi.setSystemTime(next * 1000);
  return next;
}
