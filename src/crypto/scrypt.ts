// scrypt key derivation: node:crypto's (workerd's BoringSSL), which the nodejs_compat flag in
// wrangler.toml provides. There is no JavaScript fallback: without the flag the Worker does not build.

import * as nodeCrypto from "node:crypto";

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  logN: number;
  blockSize: number;
  parallelism: number;
}

/** Memory scrypt needs is 128·N·r bytes; maxmem is set explicitly with headroom, never left to a default. */
function maxMemoryBytes(params: ScryptParams): number {
  return 256 * 2 ** params.logN * params.blockSize + 1024 * 1024;
}

export function scrypt(
  password: Uint8Array,
  salt: Uint8Array,
  params: ScryptParams,
  keyLength: number,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    nodeCrypto.scrypt(
      password,
      salt,
      keyLength,
      {
        N: 2 ** params.logN,
        r: params.blockSize,
        p: params.parallelism,
        maxmem: maxMemoryBytes(params),
      },
      (error, key) => (error ? reject(error) : resolve(new Uint8Array(key))),
    );
  });
}
