// PEP 3333 byte strings (S3): one character per byte, latin-1. Pure helpers.

import type { ByteString } from './types.js';

// Buffer's own latin-1 decoder (what `buf.toString('latin1')` runs), which accepts any Uint8Array: calling it
// directly saves a Buffer view per call on the response fast path. Not in Node's typings, hence the cast.
const latin1Slice = (
  Buffer.prototype as unknown as { latin1Slice?: (this: Uint8Array, start: number, end: number) => string }
).latin1Slice;

/** Bytes → byte string. (Buffer's 'latin1' is exact; TextDecoder's 'latin1' is really windows-1252.) */
export function bytesToByteString(bytes: Uint8Array): ByteString {
  if (latin1Slice !== undefined) return latin1Slice.call(bytes, 0, bytes.length);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Byte string → bytes. Throws when a character is above U+00FF (S3: not a byte string). */
export function byteStringToBytes(s: ByteString): Uint8Array {
  if (!isByteString(s)) {
    const i = s.search(NOT_BYTE);
    throw new TypeError(
      `not a byte string: character U+${s.charCodeAt(i).toString(16).padStart(4, '0')} at index ${i}`,
    );
  }
  return Buffer.from(s, 'latin1');
}

/** True when every character of `s` is in U+0000..U+00FF. */
export function isByteString(s: string): boolean {
  return !NOT_BYTE.test(s);
}

const NOT_BYTE = /[^\u0000-\u00ff]/;

/** Text → UTF-8 bytes as a byte string (what a Python app gets from `s.encode().decode('latin-1')`). */
export function utf8ToByteString(text: string): ByteString {
  return bytesToByteString(new TextEncoder().encode(text));
}

/** A byte string holding UTF-8 → text. */
export function byteStringToUtf8(s: ByteString): string {
  return new TextDecoder().decode(byteStringToBytes(s));
}

const HEX = /%([0-9A-Fa-f]{2})/g;

/**
 * Percent-decode a raw request path into a byte string (S4: PATH_INFO is the decoded path as bytes).
 * The raw path is ASCII on the wire (node:http refuses other bytes), so only `%XX` needs work.
 */
export function percentDecodeToByteString(raw: string): ByteString {
  if (raw.indexOf('%') === -1) return raw;
  return raw.replace(HEX, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}
