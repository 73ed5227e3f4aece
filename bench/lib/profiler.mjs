// Where the time goes: V8 CPU profiles of every Worker in the workerd runtime (ours, and miniflare's
// own D1, KV, rate-limit and entry Workers) through workerd's inspector, summarized per Worker as
// self and inclusive time per function. Used by `--profile`; never part of the measured runs.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { processTree } from "./proc.mjs";

const SAMPLING_INTERVAL_MICROSECONDS = 200;
const TOP_FUNCTIONS = Number(process.env.BENCH_PROFILE_TOP ?? 12);
// Password-hash entry points, ours (src/crypto/password-hash.ts) and Better Auth's (@better-auth/utils),
// and workerd's own node:crypto scrypt, which both call: its frames keep their names in a minified
// bundle (ours is built with keep_names = false, so our function names are not there to match).
const HASH_FUNCTIONS = /^(hashPassword|verifyPassword|verifyDummyPassword)\d*$/;
const isHashFrame = (frame) =>
  HASH_FUNCTIONS.test(frame.functionName) || (frame.url ?? "").startsWith("node-internal:crypto_scrypt");

/** Loopback TCP ports that process `pid` itself listens on (its socket inodes matched in /proc/net/tcp). */
function listeningPorts(pid) {
  const ownSockets = new Set();
  const ports = [];
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSafe(`/proc/${pid}/fd/${fd}`));
      if (match) ownSockets.add(match[1]);
    }
    for (const line of readFileSync(`/proc/${pid}/net/tcp`, "utf8").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // State 0A is LISTEN; local address 0100007F is 127.0.0.1; field 9 is the socket inode.
      if (fields[3] === "0A" && fields[1]?.startsWith("0100007F:") && ownSockets.has(fields[9])) {
        ports.push(Number.parseInt(fields[1].split(":")[1] ?? "0", 16));
      }
    }
  } catch {
    // The process is gone or /proc is unreadable: no profile.
  }
  return ports;
}

function readlinkSafe(path) {
  try {
    return readlinkSync(path);
  } catch {
    return "";
  }
}

/** The inspector targets (one per Worker) of the workerd runtime under `devPid`. */
export async function inspectorTargets(devPid) {
  for (const stat of processTree(devPid)) {
    if (stat.role !== "runtime") continue;
    for (const port of listeningPorts(stat.pid)) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(2_000) });
        const targets = await response.json();
        if (Array.isArray(targets) && targets.some((target) => target.id === "core:entry")) return targets;
      } catch {
        // Not the inspector port.
      }
    }
  }
  return [];
}

export class InspectorSession {
  #socket;
  #nextId = 1;
  #pending = new Map();

  static open(url, timeoutMs = 10_000) {
    return new Promise((resolve, reject) => {
      const session = new InspectorSession();
      session.#socket = new WebSocket(url);
      const timer = setTimeout(() => {
        reject(new Error(`inspector ${url} did not open within ${timeoutMs} ms`));
        session.#socket.close();
      }, timeoutMs);
      session.#socket.addEventListener("open", () => {
        clearTimeout(timer);
        resolve(session);
      });
      session.#socket.addEventListener("error", () => {
        clearTimeout(timer);
        reject(new Error(`inspector ${url} unreachable`));
      });
      session.#socket.addEventListener("message", (event) => session.#receive(JSON.parse(String(event.data))));
    });
  }

  #receive(message) {
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if (message.error) pending.reject(new Error(message.error.message));
    else pending.resolve(message.result);
  }

  send(method, params = {}, timeoutMs = 30_000) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#socket.send(JSON.stringify({ id, method, params }));
      setTimeout(() => this.#pending.has(id) && reject(new Error(`${method} timed out`)), timeoutMs);
    });
  }

  close() {
    this.#socket.close();
  }
}

function functionKey(callFrame) {
  const file = callFrame.url ? callFrame.url.split("/").at(-1) : "";
  return `${callFrame.functionName || "(anonymous)"}${file ? ` ${file}:${callFrame.lineNumber + 1}` : ""}`;
}

/** Self and inclusive milliseconds per function; idle time is left out. */
export function summarizeProfile(profile) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const self = new Map();
  const inclusive = new Map();
  let busyMs = 0;
  let hashMs = 0;
  profile.samples.forEach((id, index) => {
    const node = nodes.get(id);
    const ms = (profile.timeDeltas[index + 1] ?? profile.timeDeltas[index] ?? 0) / 1000;
    if (!node || node.callFrame.functionName === "(idle)") return;
    busyMs += ms;
    const key = functionKey(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + ms);
    const seen = new Set();
    let inHash = false;
    for (let cursor = id; cursor !== undefined; cursor = parents.get(cursor)) {
      const frame = nodes.get(cursor)?.callFrame;
      if (!frame || frame.functionName === "(root)") continue;
      inHash ||= isHashFrame(frame);
      const stackKey = functionKey(frame);
      if (seen.has(stackKey)) continue;
      seen.add(stackKey);
      inclusive.set(stackKey, (inclusive.get(stackKey) ?? 0) + ms);
    }
    if (inHash) hashMs += ms;
  });
  const top = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP_FUNCTIONS)
      .map(([name, ms]) => ({ name, ms: Number(ms.toFixed(1)), share: Number((ms / busyMs).toFixed(3)) }));
  return {
    busy_ms: Number(busyMs.toFixed(1)),
    // Inside a password-hash function: the rest of this Worker's busy time is "beyond the hash".
    password_hash_share: busyMs > 0 ? Number((hashMs / busyMs).toFixed(3)) : 0,
    top_self: top(self),
    top_inclusive: top(inclusive),
  };
}

/**
 * Profiles every Worker in the runtime while `drive()` runs; returns per-Worker summaries with the
 * busy time divided by `requests()` (known only after the drive).
 */
export async function profileWhile(devPid, drive, nudge) {
  const targets = await inspectorTargets(devPid);
  // An isolate answers its inspector only while it runs, so requests keep every Worker stepping
  // until each profiler has started.
  let starting = true;
  const nudging = (async () => {
    for (let round = 0; starting && round < 300; round++) {
      await nudge().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const opened = await Promise.all(
    targets.map(async (target) => {
      // A first inspector connection to an isolate sometimes gets no answer; a second one does.
      for (let attempt = 1; ; attempt++) {
        const session = await InspectorSession.open(target.webSocketDebuggerUrl).catch(() => null);
        try {
          if (!session) throw new Error("unreachable");
          await session.send("Profiler.enable", {}, 5_000);
          await session.send("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_MICROSECONDS });
          await session.send("Profiler.start");
          return { id: target.id, session };
        } catch (error) {
          session?.close();
          if (attempt >= 3) {
            console.error(`  profiler: ${target.id} left out: ${error.message}`);
            return null;
          }
        }
      }
    }),
  );
  starting = false;
  await nudging;
  const sessions = opened.filter(Boolean);
  const requests = await drive();
  const workers = {};
  for (const { id, session } of sessions) {
    try {
      const { profile } = await session.send("Profiler.stop");
      const summary = summarizeProfile(profile);
      if (summary.busy_ms > 0)
        workers[id] = { ms_per_request: Number((summary.busy_ms / requests).toFixed(3)), ...summary };
    } finally {
      session.close();
    }
  }
  return { requests, workers };
}
