// --certfile / --keyfile: the PEM files an HTTPS listener needs, read and checked together; with --ca-certs and
// --cert-reqs (Gunicorn's) the client certificates it asks for, and --ciphers.

import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { errorMessage } from '../log.js';

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
  /** --ca-certs: the CAs a client certificate must chain to (else Node's default roots). */
  ca?: Buffer;
  /** --cert-reqs 0, 1, 2 (Python's ssl.CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED). */
  clientCerts: 'none' | 'optional' | 'required';
  ciphers?: string;
}

/** The TLS settings, as named on the command line. */
export interface TlsOptions {
  certfile: string | null;
  keyfile: string | null;
  caCerts: string | null;
  certReqs: number;
  ciphers: string | null;
}

const CLIENT_CERTS = ['none', 'optional', 'required'] as const;

/**
 * The certificate and key (and client-certificate settings), or undefined without --certfile. Throws an Error that
 * names the flag and what is wrong (a missing file, a key without a certificate, a key that does not belong to the
 * certificate, a TLS option without --certfile, a cipher list OpenSSL does not know).
 */
export function readTlsFiles(options: TlsOptions): TlsFiles | undefined {
  const { certfile, keyfile, caCerts, certReqs, ciphers } = options;
  if (certfile === null) {
    const given: Array<[string, boolean]> = [
      ['--keyfile', keyfile !== null],
      ['--ca-certs', caCerts !== null],
      ['--cert-reqs', certReqs > 0],
      ['--ciphers', ciphers !== null],
    ];
    const lone = given.find(([, isGiven]) => isGiven)?.[0];
    if (lone) throw new Error(`${lone} needs --certfile (tsgi serves HTTPS only with a certificate)`);
    return undefined;
  }
  const read = (flag: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new Error(`${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`);
    }
  };
  const cert = read('--certfile', certfile);
  const key = keyfile === null ? cert : read('--keyfile', keyfile);
  const withKey = keyfile ? ` with --keyfile ${keyfile}` : '';
  accepted(
    { cert, key },
    (why) => `--certfile ${certfile}${withKey} is not a PEM certificate and its private key (${why})`,
  );
  const files: TlsFiles = { cert, key, clientCerts: CLIENT_CERTS[certReqs] ?? 'required' };
  if (caCerts !== null) {
    files.ca = read('--ca-certs', caCerts);
    accepted(
      { ca: files.ca },
      (why) => `--ca-certs ${caCerts} is not a PEM file of CA certificates (${why})`,
    );
  }
  if (ciphers !== null) {
    accepted({ ciphers }, (why) => `--ciphers ${ciphers}: ${why} (an OpenSSL cipher list is expected)`);
    files.ciphers = ciphers;
  }
  return files;
}

/** Whether OpenSSL takes `parts` (a secure context is built from them); throws `message(reason)` when not. */
function accepted(parts: SecureContextOptions, message: (reason: string) => string): void {
  try {
    createSecureContext(parts);
  } catch (error) {
    throw new Error(message(errorMessage(error)));
  }
}
