// PBKDF2-HMAC-SHA256 in plain JavaScript, for counts above what production's WebCrypto accepts
// (Django's 1,000,000). Written here rather than taken from @noble/hashes because noble's SHA-256
// measured about 56 µs a compression inside workerd (about 90 times slower than this loop, 0.65 µs):
// 1,000,000 Django iterations would cost close to two minutes of CPU instead of about 1.3 s. Each
// iteration is two compressions from precomputed HMAC pad states, on words, with nothing allocated.
// The tests hold it to WebCrypto's and noble's answers and to RFC 7914's vectors.

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
const W = new Int32Array(64);

/** FIPS 180-4 §6.2.2: one 64-byte block (16 big-endian words) into `state`. */
function compress(state: Int32Array, block: Int32Array): void {
  const w = W;
  for (let i = 0; i < 16; i++) w[i] = block[i] as number;
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15] as number;
    const y = w[i - 2] as number;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) | 0;
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  let f = state[5] as number;
  let g = state[6] as number;
  let h = state[7] as number;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + (K[i] as number) + (w[i] as number)) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + b) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
  state[4] = ((state[4] as number) + e) | 0;
  state[5] = ((state[5] as number) + f) | 0;
  state[6] = ((state[6] as number) + g) | 0;
  state[7] = ((state[7] as number) + h) | 0;
}

/** SHA-256 of `message`, continued from `initial` after `consumed` bytes (a whole number of blocks). */
function digestFrom(initial: Int32Array, consumed: number, message: Uint8Array): Int32Array {
  const state = initial.slice();
  const padded = new Uint8Array(Math.ceil((message.length + 9) / 64) * 64);
  padded.set(message);
  padded[message.length] = 0x80;
  const view = new DataView(padded.buffer);
  const bits = (consumed + message.length) * 8;
  view.setUint32(padded.length - 8, Math.floor(bits / 2 ** 32));
  view.setUint32(padded.length - 4, bits >>> 0);
  const block = new Int32Array(16);
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i++) block[i] = view.getInt32(offset + i * 4);
    compress(state, block);
  }
  return state;
}

function toBytes(words: Int32Array): Uint8Array {
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < words.length; i++) view.setInt32(i * 4, words[i] as number);
  return bytes;
}

/** The state after one 64-byte pad block (RFC 2104): the key XOR `pad`, hashed from the IV. */
function padState(key: Uint8Array, pad: number): Int32Array {
  const block = new Uint8Array(64).fill(pad);
  for (let i = 0; i < key.length; i++) block[i] = (block[i] as number) ^ (key[i] as number);
  const view = new DataView(block.buffer);
  const state = IV.slice();
  compress(
    state,
    Int32Array.from({ length: 16 }, (_, i) => view.getInt32(i * 4)),
  );
  return state;
}

/** RFC 8018 §5.2 with HMAC-SHA256. */
export function pbkdf2Sha256(
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  keyLength: number,
): Uint8Array {
  const key = password.length > 64 ? toBytes(digestFrom(IV, 0, password)) : password;
  const inner = padState(key, 0x36);
  const outer = padState(key, 0x5c);
  // One block of a 32-byte message after a pad block: the message, 0x80, zeros, 768 bits in all.
  const innerBlock = new Int32Array(16);
  const outerBlock = new Int32Array(16);
  for (const block of [innerBlock, outerBlock]) {
    block[8] = 0x80000000 | 0;
    block[15] = (64 + 32) * 8;
  }
  const innerState = new Int32Array(8);
  const outerState = new Int32Array(8);
  const output = new Uint8Array(keyLength);
  for (let index = 1; (index - 1) * 32 < keyLength; index++) {
    const first = new Uint8Array(salt.length + 4);
    first.set(salt);
    new DataView(first.buffer).setUint32(salt.length, index);
    outerState.set(outer);
    outerBlock.set(digestFrom(inner, 64, first));
    compress(outerState, outerBlock);
    const sum = outerState.slice();
    for (let round = 1; round < iterations; round++) {
      innerState.set(inner);
      innerBlock.set(outerState);
      compress(innerState, innerBlock);
      outerState.set(outer);
      outerBlock.set(innerState);
      compress(outerState, outerBlock);
      for (let i = 0; i < 8; i++) sum[i] = (sum[i] as number) ^ (outerState[i] as number);
    }
    output.set(toBytes(sum).subarray(0, Math.min(32, keyLength - (index - 1) * 32)), (index - 1) * 32);
  }
  return output;
}
