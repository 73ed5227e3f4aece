// scrypt key derivation: native node:crypto (workerd's BoringSSL) by default, @noble/hashes where
// nodejs_compat is off. Both give byte-identical output (tested against RFC 7914 vectors).

import * as nodeCrypto from "node:crypto";
import { scryptAsync } from "@noble/hashes/scrypt.js";

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  logN: number;
  blockSize: number;
  parallelism: number;
}

export type ScryptImplementation = (
  password: Uint8Array,
  salt: Uint8Array,
  params: ScryptParams,
  keyLength: number,
) => Promise<Uint8Array>;

/** Memory scrypt needs is 128·N·r bytes; maxmem is set explicitly with headroom, never left to a default. */
function maxMemoryBytes(params: ScryptParams): number {
  return 256 * 2 ** params.logN * params.blockSize + 1024 * 1024;
}

export const scryptNative: ScryptImplementation = (password, salt, params, keyLength) =>
  new Promise((resolve, reject) => {
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

export const scryptPortable: ScryptImplementation = (password, salt, params, keyLength) =>
  scryptAsync(password, salt, {
    N: 2 ** params.logN,
    r: params.blockSize,
    p: params.parallelism,
    dkLen: keyLength,
    maxmem: maxMemoryBytes(params),
  });

/** The native one when node:crypto provides scrypt, else the portable one. */
export const scrypt: ScryptImplementation = typeof nodeCrypto.scrypt === "function" ? scryptNative : scryptPortable;
