// multipart/form-data bodies built byte by byte (RFC 7578), so a test can send the same upload through fetch,
// Content-Length or chunked framing on a raw socket, and know its exact bytes.

import { createHash, randomBytes } from 'node:crypto';

export interface FilePart {
  name: string;
  filename: string;
  contentType?: string;
  data: Uint8Array;
}

export interface Multipart {
  body: Buffer;
  contentType: string;
}

export function multipart(fields: Record<string, string>, files: FilePart[]): Multipart {
  const boundary = `----tsgi-e2e-${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  for (const file of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\n` +
          `Content-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      Buffer.from(file.data),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `size` bytes that are not all alike (so a dropped or repeated chunk changes the hash). */
export function payload(size: number): Buffer {
  return randomBytes(size);
}

/** `data` framed as Transfer-Encoding: chunked, in chunks of `chunkSize` bytes, with the last-chunk. */
export function chunked(data: Uint8Array, chunkSize: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunkSize) {
    const chunk = data.subarray(i, i + chunkSize);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), Buffer.from(chunk), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}
