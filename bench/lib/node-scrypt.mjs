// A cross-check of the hash cost outside workerd: node:crypto scrypt (OpenSSL) with the same
// parameters, timed in this process. workerd's own figure comes from the consumer's /scrypt probe.
import { scryptSync } from "node:crypto";

export function timeNodeScrypt(settings, keyLength, iterations = 5) {
  const match = /^ln=(\d+),r=(\d+),p=(\d+)$/.exec(settings);
  if (!match) throw new Error(`unreadable scrypt settings: ${settings}`);
  const N = 2 ** Number(match[1]);
  const r = Number(match[2]);
  const p = Number(match[3]);
  const options = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  scryptSync("warm-up", "bench-probe-salt", keyLength, options);
  const before = process.cpuUsage();
  for (let index = 0; index < iterations; index++)
    scryptSync(`password-${index}`, "bench-probe-salt", keyLength, options);
  const used = process.cpuUsage(before);
  return {
    settings,
    key_bytes: keyLength,
    cpu_ms_per_hash: Number(((used.user + used.system) / 1000 / iterations).toFixed(1)),
  };
}
