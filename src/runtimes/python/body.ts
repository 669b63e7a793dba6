// The request body, read whole before dispatch: the Python app runs only once its request is complete, so a
// slow upload never holds a Python thread (WORKERS.md). Up to `memoryLimit` bytes stay in memory; a larger
// body goes to a temp file that the worker opens itself, instead of streaming it through the channel.

import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Input } from '../../gateway/types.js';

export type RequestBody = { bytes: Uint8Array } | { path: string; length: number };

const EMPTY = new Uint8Array(0);

export async function readBody(
  input: Input,
  memoryLimit: number,
  spoolDir: string,
  name: string,
): Promise<RequestBody> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const chunk = await input.read(64 * 1024);
    if (chunk.length === 0) break;
    length += chunk.length;
    if (length > memoryLimit) {
      chunks.push(chunk);
      return spool(input, chunks, length, join(spoolDir, name));
    }
    chunks.push(chunk);
  }
  if (chunks.length === 0) return { bytes: EMPTY };
  if (chunks.length === 1) return { bytes: chunks[0] };
  return { bytes: Buffer.concat(chunks, length) };
}

async function spool(input: Input, first: Uint8Array[], length: number, path: string): Promise<RequestBody> {
  const file = await open(path, 'wx', 0o600);
  try {
    for (const chunk of first) await file.write(chunk);
    for (;;) {
      const chunk = await input.read(256 * 1024);
      if (chunk.length === 0) break;
      await file.write(chunk);
      length += chunk.length;
    }
  } catch (error) {
    await file.close();
    await unlink(path).catch(() => {});
    throw error;
  }
  await file.close();
  return { path, length };
}

export async function discardBody(body: RequestBody): Promise<void> {
  if ('path' in body) await unlink(body.path).catch(() => {});
}
