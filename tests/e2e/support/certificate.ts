// Certificates made by openssl for a test (valid one day): a server certificate for 127.0.0.1, and for mutual TLS
// a CA with a client certificate it signed.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });

/** A self-signed certificate for `subject` (extra `args` to `openssl req`); returns the paths of both files. */
function selfSigned(
  dir: string,
  name: string,
  subject: string,
  ...args: string[]
): { cert: string; key: string } {
  const cert = join(dir, `${name}-cert.pem`);
  const key = join(dir, `${name}-key.pem`);
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    subject,
    ...args,
    '-keyout',
    key,
    '-out',
    cert,
  );
  return { cert, key };
}

/** A server certificate for 127.0.0.1 (also its subjectAltName) and its key, written into `dir`. */
export function makeCertificate(dir: string): { cert: string; key: string } {
  return selfSigned(dir, 'server', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1');
}

/**
 * A CA and a client certificate it signed, written into `dir`, for mutual TLS; plus a self-signed client
 * certificate that no CA vouches for (the stranger).
 */
export function makeClientCertificates(dir: string) {
  const ca = selfSigned(dir, 'ca', '/CN=test CA');
  const client = { cert: join(dir, 'client-cert.pem'), key: join(dir, 'client-key.pem') };
  const request = join(dir, 'client.csr');
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=client',
    '-keyout',
    client.key,
    '-out',
    request,
  );
  openssl(
    'x509',
    '-req',
    '-in',
    request,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-days',
    '1',
    '-out',
    client.cert,
  );
  return { ca: ca.cert, client, stranger: selfSigned(dir, 'stranger', '/CN=stranger') };
}
