// The frame codec between Node and a Python worker, mirror of python/tsgi_worker/wire.py. Spec: docs/wire.md.
//
//   0         4      5           9
//   +---------+------+-----------+---------------------------+
//   | length  | type | id        | payload (length - 5 bytes) |
//   | u32 BE  | u8   | u32 BE    |                           |
//   +---------+------+-----------+---------------------------+
//   length counts everything after itself. A string list has two forms:
//     separated  u32 (count | SEPARATED), u32 byte length, the strings joined by NUL (when none contains NUL)
//     lengths    u32 count, count × u32 lengths, then the bytes back to back (fallback for strings with NUL)

export const HEADER_SIZE = 9;

export const FrameType = {
  // Node → Python
  REQUEST: 0x01,
  REQUEST_FILE: 0x02,
  CREDIT: 0x03,
  ABORT: 0x04,
  FILE_REPLY: 0x05,
  STOP: 0x06,
  /** --preload: the first frame on a connection to the zygote, UTF-8 JSON of the worker's settings */
  FORK: 0x07,
  /** --preload, u8: 1 = Node opened the ring the forked worker offered in its FORKED (it may hold), 0 = it did not */
  RING: 0x08,
  /** --preload, u8: 1 = Node opened the stdout and stderr pipes the forked worker named in its FORKED, 0 = it did not */
  OUTPUT: 0x09,
  // Python → Node
  HEADERS: 0x41,
  BODY: 0x42,
  END: 0x43,
  ERROR: 0x44,
  FILE: 0x45,
  LOG: 0x46,
  /** string list: name, value … for a 103 Early Hints before the response */
  EARLY_HINTS: 0x47,
  /** the response is whole (its body ended, or its Content-Length was reached): close() runs next, then END */
  COMPLETE: 0x48,
  /** id 0, u32 ids: requests a worker with one thread had queued behind one that runs long; it never starts them */
  GIVE_BACK: 0x49,
  READY: 0x50,
  IMPORT_FAILED: 0x51,
  /** --preload, u32 pid, i32 ring, stdout and stderr pipe fds (-1: none): from the zygote (id: the FORK's serial, all -1),
   * from the worker */
  FORKED: 0x52,
  /** --preload, from the zygote: u32 pid, i32 exit code (-1: none), u32 signal number (0: none) */
  EXITED: 0x53,
  /** -k gevent or threads > 1, every `heartbeat` seconds: the worker runs Python (none while it is blocked) */
  HEARTBEAT: 0x54,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

export const FRAME_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(FrameType).map(([name, code]) => [code, name]),
);

/** Initial per-request credit: body bytes a worker may send before Node grants more (flow control). */
export const WINDOW = 256 * 1024;

export interface Frame {
  type: number;
  id: number;
  payload: Buffer;
}

/** A frame with no payload, or a small one. */
export function encodeFrame(type: number, id: number, payload?: Uint8Array): Buffer {
  const length = payload ? payload.length : 0;
  const out = Buffer.allocUnsafe(HEADER_SIZE + length);
  out.writeUInt32BE(length + 5, 0);
  out[4] = type;
  out.writeUInt32BE(id, 5);
  if (payload) out.set(payload, HEADER_SIZE);
  return out;
}

/** High bit of a string list's count: the separated form. */
export const SEPARATED = 0x80000000;

/** A string list as the pieces to write: the NUL-joined text (separated form) or null for the lengths form. */
function plan(items: readonly string[]): { joined: string | null; size: number } {
  let bytes = 0;
  let nul = false;
  for (const s of items) {
    bytes += s.length;
    if (!nul && s.indexOf('\0') !== -1) nul = true;
  }
  if (nul || items.length === 0) return { joined: null, size: 4 + 4 * items.length + bytes };
  // Fast path: one latin-1 write here, one C-level split() in Python.
  const joined = items.join('\0');
  return { joined, size: 8 + joined.length };
}

/** Write a string list of byte strings (one byte per character, S3) at `offset`; returns the offset after it. */
function writeStrings(out: Buffer, offset: number, items: readonly string[], joined: string | null): number {
  if (joined !== null) {
    out.writeUInt32BE((items.length | SEPARATED) >>> 0, offset);
    out.writeUInt32BE(joined.length, offset + 4);
    return offset + 8 + out.write(joined, offset + 8, 'latin1');
  }
  out.writeUInt32BE(items.length, offset);
  let lengths = offset + 4;
  let data = lengths + 4 * items.length;
  for (const s of items) {
    out.writeUInt32BE(s.length, lengths);
    lengths += 4;
    data += out.write(s, data, 'latin1');
  }
  return data;
}

/**
 * The encoded bytes of recently seen string lists. One client's requests carry the same environ keys in the same
 * order, and keys are internalized strings, so a list is recognised by comparing references and its bytes are
 * written once, not joined and scanned per request. Holds `size` lists, replacing the oldest.
 */
class EncodedListMemo {
  readonly #lists: Array<readonly string[]> = [];
  readonly #bytes: Buffer[] = [];
  #next = 0;

  constructor(readonly size: number) {}

  get(items: readonly string[]): Buffer {
    const lists = this.#lists;
    for (let i = 0; i < lists.length; i++) {
      if (sameItems(lists[i], items)) return this.#bytes[i];
    }
    const bytes = encodeStrings(items);
    this.#lists[this.#next] = items.slice();
    this.#bytes[this.#next] = bytes;
    this.#next = (this.#next + 1) % this.size;
    return bytes;
  }
}

function sameItems(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const environKeyLists = new EncodedListMemo(8);

/**
 * A REQUEST (the body inline) or REQUEST_FILE (the path of the file holding the body) frame, built in one
 * allocation. The environ goes as two string lists, its keys then their values, as byte strings: the keys of
 * one client's requests repeat byte for byte, so both sides handle each distinct key list once (docs/wire.md).
 */
export function encodeRequest(
  id: number,
  keys: readonly string[],
  values: readonly string[],
  body: Uint8Array | string,
): Buffer {
  if (keys.length !== values.length) throw new RangeError('an environ needs one value per key');
  const isFile = typeof body === 'string';
  const tail = isFile ? Buffer.from(body, 'utf8') : body;
  const keyBytes = environKeyLists.get(keys);
  const valueList = plan(values);
  const payload = keyBytes.length + valueList.size + tail.length;
  const out = Buffer.allocUnsafe(HEADER_SIZE + payload);
  out.writeUInt32BE(payload + 5, 0);
  out[4] = isFile ? FrameType.REQUEST_FILE : FrameType.REQUEST;
  out.writeUInt32BE(id, 5);
  out.set(keyBytes, HEADER_SIZE);
  const end = writeStrings(out, HEADER_SIZE + keyBytes.length, values, valueList.joined);
  out.set(tail, end);
  return out;
}

export function encodeStrings(items: readonly string[]): Buffer {
  const strings = plan(items);
  const out = Buffer.allocUnsafe(strings.size);
  writeStrings(out, 0, items, strings.joined);
  return out;
}

/** A string list at `offset` as byte strings (`encoding` 'utf8' for text frames), and the offset after it. */
export function decodeStrings(
  buf: Buffer,
  offset = 0,
  encoding: 'latin1' | 'utf8' = 'latin1',
): { items: string[]; end: number } {
  const head = buf.readUInt32BE(offset);
  if (head & SEPARATED) {
    const start = offset + 8;
    const end = start + buf.readUInt32BE(offset + 4);
    if (end > buf.length) throw new RangeError('string list runs past the end of its frame');
    return { items: buf.toString(encoding, start, end).split('\0'), end };
  }
  const count = head;
  let lengths = offset + 4;
  let data = lengths + 4 * count;
  if (data > buf.length) throw new RangeError('string list runs past the end of its frame');
  const items = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const length = buf.readUInt32BE(lengths);
    lengths += 4;
    if (data + length > buf.length) throw new RangeError('string list runs past the end of its frame');
    items[i] = buf.toString(encoding, data, data + length);
    data += length;
  }
  return { items, end: data };
}

export function encodeCredit(id: number, bytes: number): Buffer {
  const out = encodeFrame(FrameType.CREDIT, id, new Uint8Array(4));
  out.writeUInt32BE(bytes, HEADER_SIZE);
  return out;
}

/** GIVE_BACK's payload: request ids, u32 each, in the order they arrived. */
export function encodeIds(ids: readonly number[]): Buffer {
  const out = Buffer.allocUnsafe(ids.length * 4);
  for (let i = 0; i < ids.length; i++) out.writeUInt32BE(ids[i], i * 4);
  return out;
}

export function decodeIds(payload: Buffer): number[] {
  const ids: number[] = [];
  for (let i = 0; i + 4 <= payload.length; i += 4) ids.push(payload.readUInt32BE(i));
  return ids;
}

export function decodeCredit(payload: Buffer): number {
  return payload.readUInt32BE(0);
}

/** A FILE frame: part of a file the app wrapped, and which file it is (the path may name another by now). */
export interface FileSlice {
  path: string;
  offset: number;
  length: number;
  /** st_dev and st_ino of the file the worker has open. */
  device: bigint;
  inode: bigint;
}

export function encodeFile(id: number, file: FileSlice): Buffer {
  const path = Buffer.from(file.path, 'utf8');
  const payload = Buffer.allocUnsafe(32 + path.length);
  payload.writeBigUInt64BE(BigInt(file.offset), 0);
  payload.writeBigUInt64BE(BigInt(file.length), 8);
  payload.writeBigUInt64BE(file.device, 16);
  payload.writeBigUInt64BE(file.inode, 24);
  payload.set(path, 32);
  return encodeFrame(FrameType.FILE, id, payload);
}

export function decodeFile(payload: Buffer): FileSlice {
  return {
    offset: Number(payload.readBigUInt64BE(0)),
    length: Number(payload.readBigUInt64BE(8)),
    device: payload.readBigUInt64BE(16),
    inode: payload.readBigUInt64BE(24),
    path: payload.toString('utf8', 32),
  };
}

/** Splits a byte stream into frames. Fast path: a frame inside one chunk is a view of it, not a copy. */
export class FrameDecoder {
  #parts: Buffer[] = [];
  #held = 0;
  /** Bytes needed before the held parts can yield a frame (0 = unknown until a header is complete). */
  #needed = 0;

  /** Append a chunk; calls `onFrame` for each complete frame, in order. */
  push(chunk: Buffer, onFrame: (type: number, id: number, payload: Buffer) => void): void {
    let buf = chunk;
    if (this.#held > 0) {
      this.#parts.push(chunk);
      this.#held += chunk.length;
      // A large frame arrives in many chunks: join them once, when it is complete.
      if (this.#held < this.#needed) return;
      buf = Buffer.concat(this.#parts, this.#held);
      this.#parts = [];
      this.#held = 0;
    }
    let pos = 0;
    this.#needed = 0;
    while (buf.length - pos >= HEADER_SIZE) {
      const length = buf.readUInt32BE(pos);
      if (length < 5) throw new RangeError(`bad frame length ${length}`);
      const end = pos + 4 + length;
      if (end > buf.length) {
        this.#needed = end - pos;
        break;
      }
      onFrame(buf[pos + 4], buf.readUInt32BE(pos + 5), buf.subarray(pos + HEADER_SIZE, end));
      pos = end;
    }
    if (pos < buf.length) {
      this.#parts = [buf.subarray(pos)];
      this.#held = buf.length - pos;
    }
  }

  /** Bytes held for an incomplete frame. */
  get pending(): number {
    return this.#held;
  }
}
