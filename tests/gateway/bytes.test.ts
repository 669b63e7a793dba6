// S3 byte strings: one character per byte, latin-1; and S4's percent-decoding of the path into bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  byteStringToBytes,
  byteStringToUtf8,
  bytesToByteString,
  isByteString,
  percentDecodeToByteString,
  utf8ToByteString,
} from '../../src/gateway/index.js';

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

test('bytesToByteString maps each byte to the character of the same code', () => {
  const s = bytesToByteString(ALL_BYTES);
  assert.equal(s.length, 256);
  for (let i = 0; i < 256; i++) assert.equal(s.charCodeAt(i), i);
});

test('bytesToByteString reads only the view, not the whole buffer', () => {
  const view = new Uint8Array([0x61, 0x62, 0x63, 0x64]).subarray(1, 3);
  assert.equal(bytesToByteString(view), 'bc');
});

test('bytesToByteString keeps 0x80-0x9f as themselves, not as windows-1252', () => {
  assert.equal(bytesToByteString(new Uint8Array([0x80, 0x9f])), '\x80\x9f');
});

test('byteStringToBytes round-trips every byte value', () => {
  assert.deepEqual(byteStringToBytes(bytesToByteString(ALL_BYTES)), Buffer.from(ALL_BYTES));
});

test('byteStringToBytes rejects a character above U+00FF and names it', () => {
  assert.throws(() => byteStringToBytes('ab\u0100'), /U\+0100 at index 2/);
  assert.throws(() => byteStringToBytes('€'), TypeError);
});

test('isByteString is true only for U+0000..U+00FF', () => {
  assert.equal(isByteString(''), true);
  assert.equal(isByteString('\x00\xff plain'), true);
  assert.equal(isByteString('caf\u00e9'), true);
  assert.equal(isByteString('\u0100'), false);
  assert.equal(isByteString('😀'), false);
});

test('utf8ToByteString gives the UTF-8 bytes as a byte string', () => {
  assert.equal(utf8ToByteString('café'), 'caf\xc3\xa9');
  assert.equal(utf8ToByteString('€'), '\xe2\x82\xac');
});

test('byteStringToUtf8 decodes a byte string holding UTF-8', () => {
  assert.equal(byteStringToUtf8('caf\xc3\xa9'), 'café');
  assert.equal(byteStringToUtf8(utf8ToByteString('😀 ok')), '😀 ok');
});

test('percentDecodeToByteString turns each %XX into one byte character', () => {
  assert.equal(percentDecodeToByteString('/caf%C3%A9'), '/caf\xc3\xa9');
  assert.equal(percentDecodeToByteString('/%e2%82%ac'), '/\xe2\x82\xac');
  assert.equal(percentDecodeToByteString('/a%20b%2Fc'), '/a b/c');
});

test('percentDecodeToByteString leaves malformed escapes as they are', () => {
  assert.equal(percentDecodeToByteString('/100%'), '/100%');
  assert.equal(percentDecodeToByteString('/%zz%4'), '/%zz%4');
});

test('percentDecodeToByteString decodes %25 once, not twice', () => {
  assert.equal(percentDecodeToByteString('/%2541'), '/%41');
});

test('percentDecodeToByteString returns a path without % unchanged', () => {
  assert.equal(percentDecodeToByteString('/plain/path'), '/plain/path');
});
