// The held-response ring (docs/wire.md, "Held responses"): a file in shared memory that a Python worker with one
// thread writes the frames of whole responses into while more requests are queued, and sends them together
// later. Node reads it only when the worker has died, to deliver what the worker had written and not sent: the
// same bytes, in the same order, that the channel would have carried.

import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Two u64 stream offsets (the worker's native byte order), then the held bytes. Mirror of channel.py. */
export const RING_HEADER = 64;
/** Room for held frames; a response larger than this is sent, never held. */
export const RING_BYTES = 256 * 1024;
export const HELD_RING_SIZE = RING_HEADER + RING_BYTES;

let serial = 0;

export class HeldRing {
  readonly fd: number;
  readonly size: number;

  private constructor(fd: number, size: number) {
    this.fd = fd;
    this.size = size;
  }

  /**
   * A new ring file, already unlinked (it lives as long as its descriptors): in /dev/shm where there is one, else
   * in the temp folder. Undefined when neither can hold it: the worker then sends every response at once.
   */
  static open(size = HELD_RING_SIZE): HeldRing | undefined {
    for (const folder of ['/dev/shm', tmpdir()]) {
      const path = join(folder, `tsgi-held-${process.pid}-${++serial}`);
      let fd: number | undefined;
      try {
        fd = openSync(path, 'wx+', 0o600);
        unlinkSync(path);
        // Written out, not truncated to size: a sparse file on a full /dev/shm would kill the worker with SIGBUS at
        // its first held response; this fails here instead (ENOSPC), and the next folder is tried.
        if (writeSync(fd, Buffer.alloc(size), 0, size, 0) !== size) throw new Error('short write');
        return new HeldRing(fd, size);
      } catch {
        if (fd !== undefined) closeSync(fd);
      }
    }
    return undefined;
  }

  /**
   * The ring a worker made itself (one forked by the zygote, --preload), opened through its descriptor
   * (`/proc/PID/fd/FD`: the file is unlinked); undefined if that cannot be done.
   */
  static adopt(path: string, size: number): HeldRing | undefined {
    try {
      return new HeldRing(openSync(path, 'r'), size);
    } catch {
      return undefined;
    }
  }

  /**
   * What the worker wrote after the first `received` bytes of its stream and had not sent, or undefined. Read
   * only once the worker is gone: then its two offsets are final. SENT > WRITTEN (a direct send's bookkeeping
   * cut in half), or `received` outside the held run (the channel lost bytes before it), mean nothing to add.
   */
  unsent(received: number): Buffer | undefined {
    const header = Buffer.alloc(16);
    if (readSync(this.fd, header, 0, 16, 0) !== 16) return undefined;
    const read =
      endianness() === 'LE' ? header.readBigUInt64LE.bind(header) : header.readBigUInt64BE.bind(header);
    const sent = Number(read(0));
    const written = Number(read(8));
    if (!(sent <= received && received < written && written - sent <= this.size - RING_HEADER))
      return undefined;
    const out = Buffer.alloc(written - received);
    const n = readSync(this.fd, out, 0, out.length, RING_HEADER + received - sent);
    return n === out.length ? out : undefined;
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}
