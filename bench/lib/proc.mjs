// What the kernel knows about the processes under test (Linux /proc): the workerd processes under a
// wrangler, their CPU time (utime + stime) and resident memory, and how busy the whole machine was.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function readStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may contain spaces; fields after it are positional.
    const close = text.lastIndexOf(")");
    const name = text.slice(text.indexOf("(") + 1, close);
    const fields = text.slice(close + 2).split(" ");
    return { pid, name, ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

function readCommandLine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "";
  }
}

/** Every live descendant of `rootPid` (and the root), with its name and role. */
export function processTree(rootPid) {
  const all = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) all.push(stat);
  }
  const inTree = new Set([rootPid]);
  let grew = true;
  for (let pass = 0; grew && pass < 32; pass++) {
    grew = false;
    for (const stat of all) {
      if (!inTree.has(stat.pid) && inTree.has(stat.ppid)) {
        inTree.add(stat.pid);
        grew = true;
      }
    }
  }
  return all.filter((stat) => inTree.has(stat.pid)).map((stat) => ({ ...stat, role: roleOf(stat) }));
}

// wrangler dev runs two workerd processes: the dev proxy that owns the public port, and the runtime
// that runs the Workers (started with an inspector). Everything else is wrangler's own node.
function roleOf(stat) {
  if (stat.name !== "workerd") return "wrangler";
  return readCommandLine(stat.pid).includes("--inspector-addr") ? "runtime" : "proxy";
}

/**
 * CPU milliseconds used so far by each role (runtime, proxy, wrangler) under `rootPid`, and the pids
 * counted: when wrangler restarts workerd (it reloads on source changes) the counters start over.
 */
export function cpuByRole(rootPid) {
  const totals = { runtime: 0, proxy: 0, wrangler: 0, pids: "" };
  const pids = [];
  for (const stat of processTree(rootPid)) {
    totals[stat.role] += (stat.cpuTicks * 1000) / CLOCK_TICKS_PER_SECOND;
    pids.push(stat.pid);
  }
  totals.pids = pids.sort((a, b) => a - b).join(",");
  return totals;
}

/** Nanoseconds on CPU so far of every thread of `pid` (/proc/<pid>/task/<tid>/schedstat, field 1). */
function threadNanoseconds(pid) {
  let total = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
  } catch {
    // The process is gone.
  }
  return total;
}

/**
 * CPU milliseconds used so far by the workerd processes under `rootPid` (runtime and dev proxy), at
 * nanosecond resolution: utime + stime advance in clock ticks (10 ms), too coarse for one request.
 */
export function workerdCpuPrecise(rootPid) {
  let nanoseconds = 0;
  const pids = [];
  for (const stat of processTree(rootPid)) {
    if (stat.role === "wrangler") continue;
    nanoseconds += threadNanoseconds(stat.pid);
    pids.push(stat.pid);
  }
  return { ms: nanoseconds / 1e6, pids: pids.sort((a, b) => a - b).join(",") };
}

export function residentBytes(pid) {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of the workerd runtime and of all workerd processes under `rootPid`. */
export function workerdMemory(rootPid) {
  let runtime = 0;
  let total = 0;
  for (const stat of processTree(rootPid)) {
    if (stat.role === "wrangler") continue;
    const bytes = residentBytes(stat.pid);
    total += bytes;
    if (stat.role === "runtime") runtime += bytes;
  }
  return { runtime, total };
}

/** Busy and total CPU milliseconds of the whole machine since boot (all cores), from /proc/stat. */
export function machineCpu() {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  const total = values.slice(0, 8).reduce((sum, value) => sum + value, 0);
  const toMs = (ticks) => (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  return { busyMs: toMs(total - idle), totalMs: toMs(total) };
}
