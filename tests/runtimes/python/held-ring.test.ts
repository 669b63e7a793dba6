// The held-response ring as Node reads it after a worker died (docs/wire.md, "Held responses"): the bytes the
// worker wrote and had not sent, taken from where the channel's stream stopped.
import assert from 'node:assert/strict';
import { existsSync, fstatSync, readdirSync, writeSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { describe, test } from 'node:test';
import { HeldRing, RING_HEADER } from '../../../src/runtimes/python/held-ring.js';

/** Write the ring as a worker would: its two offsets (native byte order), then the held bytes. */
function written(ring: HeldRing, sent: number, total: number, held: string): void {
  const header = Buffer.alloc(16);
  const write =
    endianness() === 'LE' ? header.writeBigUInt64LE.bind(header) : header.writeBigUInt64BE.bind(header);
  write(BigInt(sent), 0);
  write(BigInt(total), 8);
  writeSync(ring.fd, header, 0, 16, 0);
  writeSync(ring.fd, Buffer.from(held, 'latin1'), 0, held.length, RING_HEADER);
}

function withRing(run: (ring: HeldRing) => void): void {
  const ring = HeldRing.open(RING_HEADER + 1024);
  assert.ok(ring, 'a ring file could be made');
  try {
    run(ring);
  } finally {
    ring.close();
  }
}

describe('HeldRing', () => {
  test('gives the held bytes the channel did not carry', () => {
    withRing((ring) => {
      written(ring, 100, 112, 'held-frames!');
      assert.equal(ring.unsent(100)?.toString('latin1'), 'held-frames!');
      assert.equal(ring.unsent(105)?.toString('latin1'), 'frames!', 'a send cut short: the rest of it');
    });
  });

  test('gives nothing when nothing is held or everything arrived', () => {
    withRing((ring) => {
      written(ring, 100, 100, '');
      assert.equal(ring.unsent(100), undefined);
      written(ring, 100, 112, 'held-frames!');
      assert.equal(ring.unsent(112), undefined);
    });
  });

  test('gives nothing when the channel lost bytes before the held ones (they could not be framed)', () => {
    withRing((ring) => {
      written(ring, 100, 112, 'held-frames!');
      assert.equal(ring.unsent(90), undefined);
    });
  });

  test('gives nothing for a direct send whose bookkeeping was cut in half (sent past written)', () => {
    withRing((ring) => {
      written(ring, 200, 112, 'held-frames!');
      assert.equal(ring.unsent(112), undefined);
    });
  });

  test('gives nothing for offsets that claim more than the ring holds', () => {
    withRing((ring) => {
      written(ring, 0, 4096, 'x');
      assert.equal(ring.unsent(0), undefined);
    });
  });

  test('the file is already unlinked: nothing is left behind, whatever happens to the process', () => {
    withRing((ring) => {
      assert.equal(fstatSync(ring.fd).nlink, 0);
      for (const folder of ['/dev/shm', tmpdir()].filter((f) => existsSync(f))) {
        assert.ok(!readdirSync(folder).some((name) => name.startsWith(`tsgi-held-${process.pid}-`)), folder);
      }
    });
  });
});
