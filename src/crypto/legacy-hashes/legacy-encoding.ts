// The text encodings imported hashes come in besides our own base64: hex (werkzeug, Better Auth)
// and passlib's "adapted base64" (./ for +/, no padding). Each decoder refuses what is not strictly
// its alphabet, so a malformed string is unverifiable instead of half-decoded.

import { decodeBase64 } from "../encoding";

export function decodeHex(text: string): Uint8Array | null {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return null;
  const bytes = new Uint8Array(text.length / 2);
  for (let index = 0; index < bytes.length; index++) {
    bytes[index] = Number.parseInt(text.slice(index * 2, index * 2 + 2), 16);
  }
  return bytes;
}

/** passlib's ab64: standard base64 with "." for "+", never padded. */
export function decodeAdaptedBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9./]*$/.test(text)) return null;
  return decodeBase64(text.replaceAll(".", "+"));
}

/** A decimal count as the formats write it: digits only, no sign, no leading zero, within min..max. */
export function boundedInteger(text: string | undefined, min: number, max: number): number | null {
  if (text === undefined || !/^[1-9]\d{0,9}$/.test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}

export function concatBytes(first: Uint8Array, second: Uint8Array): Uint8Array {
  const joined = new Uint8Array(first.length + second.length);
  joined.set(first);
  joined.set(second, first.length);
  return joined;
}
