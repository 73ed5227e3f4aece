// Child processes of the bench: each runs in its own process group so that wrangler and the workerd
// processes it starts can be stopped together, by that group's id, on normal exit, error or Ctrl-C.
import { spawn } from "node:child_process";

const running = new Set();
const STOP_GRACE_MS = 5_000;

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Spawns `command` in a new process group; output goes to `onOutput` (or is dropped). */
export function startChild(command, args, { cwd, env, onOutput } = {}) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const exited = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding("utf8");
    stream.on("data", (text) => onOutput?.(text));
  }
  return { child, exited };
}

/** SIGTERM to the group, then SIGKILL if it has not gone within the grace period. */
export async function stopChild({ child, exited }) {
  if (child.exitCode !== null || child.signalCode !== null) {
    signalGroup(child, "SIGKILL");
    return;
  }
  signalGroup(child, "SIGTERM");
  const timer = new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS, "timeout"));
  const outcome = await Promise.race([exited, timer]);
  // Always sweep the group: workerd can outlive a wrangler that exited first.
  signalGroup(child, "SIGKILL");
  if (outcome === "timeout") await Promise.race([exited, new Promise((r) => setTimeout(r, 1_000))]);
}

/** Runs a command to completion with a time limit; resolves with its exit code and output. */
export async function runToCompletion(command, args, { cwd, env, timeoutMs = 300_000 } = {}) {
  let output = "";
  const handle = startChild(command, args, { cwd, env, onOutput: (text) => (output += text) });
  const timer = setTimeout(() => signalGroup(handle.child, "SIGKILL"), timeoutMs);
  const { code, signal } = await handle.exited;
  clearTimeout(timer);
  signalGroup(handle.child, "SIGKILL");
  return { code, signal, output };
}

function killEverythingNow() {
  for (const child of running) signalGroup(child, "SIGKILL");
}

/** Ctrl-C, SIGTERM, an uncaught error or plain exit: no wrangler or workerd is left behind. */
export function installCleanupHandlers() {
  process.on("exit", killEverythingNow);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      console.error(`\nbench: ${signal}, stopping child processes`);
      killEverythingNow();
      process.exit(130);
    });
  }
}
