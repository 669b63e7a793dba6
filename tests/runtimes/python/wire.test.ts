// The TypeScript codec against the shared byte-exact vectors (tests/fixtures/wire); the Python codec reads the
// same files in tests/python/test_wire.py.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  decodeCredit,
  decodeFile,
  decodeIds,
  decodeStrings,
  encodeCredit,
  encodeFile,
  encodeFrame,
  encodeIds,
  encodeRequest,
  encodeStrings,
  FRAME_NAMES,
  FrameDecoder,
  FrameType,
  HEADER_SIZE,
} from '../../../src/runtimes/python/wire.js';
import { ROOT } from './support/python-server.js';

const DIR = `${ROOT}tests/fixtures/wire/`;

type Described = Record<string, unknown> & { type: string; id: number };

function readHex(name: string): Buffer {
  const text = readFileSync(`${DIR}${name}.hex`, 'utf8').replace(/#.*$/gm, '').replace(/\s+/g, '');
  return Buffer.from(text, 'hex');
}

function pairs(items: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < items.length; i += 2) out.push([items[i], items[i + 1]]);
  return out;
}

function describeFrame(type: number, id: number, payload: Buffer): Described {
  const name = FRAME_NAMES[type];
  switch (type) {
    case FrameType.REQUEST:
    case FrameType.REQUEST_FILE: {
      const keys = decodeStrings(payload);
      const { items: values, end } = decodeStrings(payload, keys.end);
      const tail =
        type === FrameType.REQUEST
          ? { body: payload.toString('latin1', end) }
          : { path: payload.toString('utf8', end) };
      return { type: name, id, environ: keys.items.map((key, i) => [key, values[i]]), ...tail };
    }
    case FrameType.HEADERS: {
      const { items } = decodeStrings(payload);
      return { type: name, id, status: items[0], headers: pairs(items.slice(1)) };
    }
    case FrameType.BODY:
      return { type: name, id, body: payload.toString('latin1') };
    case FrameType.CREDIT:
      return { type: name, id, credit: decodeCredit(payload) };
    case FrameType.FILE_REPLY:
      return { type: name, id, ok: payload[0] === 1 };
    case FrameType.GIVE_BACK:
      return { type: name, id, ids: decodeIds(payload) };
    case FrameType.FILE: {
      const file = decodeFile(payload);
      return { type: name, id, ...file, device: String(file.device), inode: String(file.inode) };
    }
    case FrameType.LOG:
    case FrameType.READY:
    case FrameType.ERROR:
      return { type: name, id, text: payload.toString('utf8') };
    case FrameType.IMPORT_FAILED:
      return { type: name, id, strings: decodeStrings(payload, 0, 'utf8').items };
    default:
      return { type: name, id };
  }
}

function encodeDescribed(f: Described): Buffer {
  const type = FrameType[f.type as keyof typeof FrameType];
  const flat = (list: unknown) => (list as Array<[string, string]>).flat();
  const environ = f.environ as Array<[string, string]>;
  const keys = environ?.map(([key]) => key);
  const values = environ?.map(([, value]) => value);
  switch (type) {
    case FrameType.REQUEST:
      return encodeRequest(f.id, keys, values, Buffer.from(f.body as string, 'latin1'));
    case FrameType.REQUEST_FILE:
      return encodeRequest(f.id, keys, values, f.path as string);
    case FrameType.HEADERS:
      return encodeFrame(type, f.id, encodeStrings([f.status as string, ...flat(f.headers)]));
    case FrameType.BODY:
      return encodeFrame(type, f.id, Buffer.from(f.body as string, 'latin1'));
    case FrameType.CREDIT:
      return encodeCredit(f.id, f.credit as number);
    case FrameType.FILE_REPLY:
      return encodeFrame(type, f.id, Uint8Array.of(f.ok ? 1 : 0));
    case FrameType.GIVE_BACK:
      return encodeFrame(type, f.id, encodeIds(f.ids as number[]));
    case FrameType.FILE:
      return encodeFile(f.id, {
        path: f.path as string,
        offset: f.offset as number,
        length: f.length as number,
        device: BigInt(f.device as string),
        inode: BigInt(f.inode as string),
      });
    case FrameType.LOG:
    case FrameType.READY:
    case FrameType.ERROR:
      return encodeFrame(type, f.id, Buffer.from(f.text as string, 'utf8'));
    case FrameType.IMPORT_FAILED: {
      const utf8 = (f.strings as string[]).map((s) => Buffer.from(s, 'utf8').toString('latin1'));
      return encodeFrame(type, f.id, encodeStrings(utf8));
    }
    default:
      return encodeFrame(type, f.id);
  }
}

const vectors = readdirSync(DIR)
  .filter((f) => f.endsWith('.hex'))
  .map((f) => f.slice(0, -4));

describe('wire vectors (TypeScript codec)', () => {
  for (const name of vectors) {
    const expected = JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8')).frames as Described[];

    test(`${name}: decodes to the described frames`, () => {
      const frames: Described[] = [];
      new FrameDecoder().push(readHex(name), (type, id, payload) =>
        frames.push(describeFrame(type, id, payload)),
      );
      assert.deepEqual(frames, expected);
    });

    test(`${name}: decodes the same when fed one byte at a time`, () => {
      const frames: Described[] = [];
      const decoder = new FrameDecoder();
      for (const byte of readHex(name)) {
        decoder.push(Buffer.of(byte), (type, id, payload) => frames.push(describeFrame(type, id, payload)));
      }
      assert.deepEqual(frames, expected);
      assert.equal(decoder.pending, 0);
    });

    test(`${name}: encoding the described frames gives the bytes back`, () => {
      assert.deepEqual(Buffer.concat(expected.map(encodeDescribed)), readHex(name));
    });
  }
});

test('a frame split across chunks is joined once it is complete', () => {
  const frame = encodeFrame(FrameType.BODY, 4, Buffer.alloc(300_000, 0x61));
  const got: number[] = [];
  const decoder = new FrameDecoder();
  for (let i = 0; i < frame.length; i += 65536) {
    decoder.push(frame.subarray(i, i + 65536), (_t, _id, payload) => got.push(payload.length));
  }
  assert.deepEqual(got, [300_000]);
});

test('a frame length below the header size is rejected', () => {
  assert.throws(
    () => new FrameDecoder().push(Buffer.from('00000004410000000000', 'hex'), () => {}),
    RangeError,
  );
});

describe('encodeRequest', () => {
  const environOf = (frame: Buffer) => {
    const payload = frame.subarray(HEADER_SIZE);
    const keys = decodeStrings(payload);
    const values = decodeStrings(payload, keys.end);
    return keys.items.map((key, i) => [key, values.items[i]]);
  };

  test('requests with the same keys carry each their own values', () => {
    const keys = ['REQUEST_METHOD', 'PATH_INFO'];
    assert.deepEqual(environOf(encodeRequest(1, keys, ['GET', '/a'], Buffer.alloc(0))), [
      ['REQUEST_METHOD', 'GET'],
      ['PATH_INFO', '/a'],
    ]);
    assert.deepEqual(environOf(encodeRequest(2, keys, ['POST', '/b'], Buffer.alloc(0))), [
      ['REQUEST_METHOD', 'POST'],
      ['PATH_INFO', '/b'],
    ]);
  });

  test('a key list of the same length with other keys is encoded as itself', () => {
    encodeRequest(1, ['HTTP_A', 'HTTP_B'], ['1', '2'], Buffer.alloc(0));
    assert.deepEqual(environOf(encodeRequest(2, ['HTTP_A', 'HTTP_C'], ['1', '3'], Buffer.alloc(0))), [
      ['HTTP_A', '1'],
      ['HTTP_C', '3'],
    ]);
  });

  test('changing a key array after it was sent does not change what a later request sends', () => {
    const keys = ['HTTP_X', 'HTTP_Y'];
    encodeRequest(1, keys, ['1', '2'], Buffer.alloc(0));
    keys[1] = 'HTTP_Z';
    assert.deepEqual(environOf(encodeRequest(2, keys, ['1', '3'], Buffer.alloc(0))), [
      ['HTTP_X', '1'],
      ['HTTP_Z', '3'],
    ]);
  });

  test('more distinct key lists than the memo holds all encode correctly, in any order', () => {
    const lists = Array.from({ length: 20 }, (_, i) => [`HTTP_K${i}`, 'PATH_INFO']);
    for (const round of [0, 1]) {
      for (const [i, keys] of lists.entries()) {
        const values = [`${i}-${round}`, `/${i}`];
        assert.deepEqual(environOf(encodeRequest(i + 1, keys, values, Buffer.alloc(0))), [
          [keys[0], values[0]],
          ['PATH_INFO', values[1]],
        ]);
      }
    }
  });

  test('a value count unlike the key count is refused', () => {
    assert.throws(() => encodeRequest(1, ['A', 'B'], ['1'], Buffer.alloc(0)), RangeError);
  });
});
