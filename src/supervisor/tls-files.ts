// --certfile / --keyfile: the PEM files an HTTPS listener needs, read and checked together.

import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

/**
 * The certificate and key, or undefined without --certfile. Throws an Error that names the flag and what is wrong
 * (a missing file, a key without a certificate, a key that does not belong to the certificate).
 */
export function readTlsFiles(certfile: string | null, keyfile: string | null): TlsFiles | undefined {
  if (certfile === null) {
    if (keyfile !== null) throw new Error('--keyfile needs --certfile (the certificate the key belongs to)');
    return undefined;
  }
  const read = (flag: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new Error(
        `${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  };
  const cert = read('--certfile', certfile);
  const key = keyfile === null ? cert : read('--keyfile', keyfile);
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new Error(
      `--certfile ${certfile}${keyfile ? ` with --keyfile ${keyfile}` : ''} is not a PEM certificate and its ` +
        `private key (${(error as Error).message})`,
    );
  }
  return { cert, key };
}
