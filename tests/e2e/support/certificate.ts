// A self-signed certificate for 127.0.0.1, made by openssl for a test (valid one day).

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Writes cert.pem and key.pem into `dir` and returns their paths. */
export function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const subject = ['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'];
  const request = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', ...subject];
  execFileSync('openssl', [...request, '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

/**
 * A CA (ca.pem) and a client certificate it signed (client-cert.pem, client-key.pem) in `dir`, for mutual TLS;
 * plus a self-signed client certificate no CA vouches for (stranger-cert.pem, stranger-key.pem).
 */
export function makeClientCertificates(dir: string) {
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  const days = ['-days', '1'];
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    ...days,
    '-subj',
    '/CN=test CA',
    '-keyout',
    path('ca-key.pem'),
    '-out',
    path('ca.pem'),
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=client',
    '-keyout',
    path('client-key.pem'),
    '-out',
    path('client.csr'),
  );
  openssl(
    'x509',
    '-req',
    '-in',
    path('client.csr'),
    '-CA',
    path('ca.pem'),
    '-CAkey',
    path('ca-key.pem'),
    '-CAcreateserial',
    ...days,
    '-out',
    path('client-cert.pem'),
  );
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    ...days,
    '-subj',
    '/CN=stranger',
    '-keyout',
    path('stranger-key.pem'),
    '-out',
    path('stranger-cert.pem'),
  );
  return {
    ca: path('ca.pem'),
    client: { cert: path('client-cert.pem'), key: path('client-key.pem') },
    stranger: { cert: path('stranger-cert.pem'), key: path('stranger-key.pem') },
  };
}
