// Where and how the server listens.

import { BindSyntaxError, parseBind } from '../../supervisor/binds.js';
import { defineSetting, InvalidValue } from '../setting.js';
import { integer, listOf, text } from '../validators.js';

function bindAddress(value: unknown): string {
  const address = text(value);
  try {
    parseBind(address);
  } catch (error) {
    if (error instanceof BindSyntaxError) throw new InvalidValue(error.message);
    throw error;
  }
  return address.trim();
}

export const bind = defineSetting({
  name: 'bind',
  section: 'server',
  example: '0.0.0.0:8080',
  flags: ['-b', '--bind'],
  metavar: 'ADDRESS',
  repeatable: true,
  env: 'PORT',
  fromEnv: (port) => [bindAddress(`0.0.0.0:${port}`)],
  default: ['127.0.0.1:8000'],
  expected: 'HOST:PORT, [IPv6]:PORT or unix:PATH',
  validate: listOf(bindAddress),
  help: 'The socket to bind: HOST:PORT, [::1]:PORT or unix:PATH. Repeat to listen on several.',
  details:
    'When the environment has `PORT`, the default is `0.0.0.0:$PORT`, as in Gunicorn. A stale unix socket file ' +
    'is removed before binding and the socket file is removed on exit.',
});

export const keepAlive = defineSetting({
  name: 'keepAlive',
  section: 'server',
  example: '5',
  flags: ['--keep-alive'],
  metavar: 'INT',
  default: 2,
  expected: 'a whole number of seconds ≥ 0',
  validate: integer(0),
  help: 'Seconds to wait for the next request on a keep-alive connection; 0 closes after each response.',
});

function scriptName(value: unknown): string {
  const path = text(value).trim();
  if (path === '') return '';
  if (!path.startsWith('/') || path.endsWith('/')) throw new InvalidValue();
  return path;
}

export const rootPath = defineSetting({
  name: 'rootPath',
  section: 'server',
  example: '/api',
  flags: ['--root-path'],
  metavar: 'PATH',
  env: 'SCRIPT_NAME',
  default: '',
  expected: "a path starting with '/' and not ending with '/', e.g. /app",
  validate: scriptName,
  help: 'The mount point of the app (SCRIPT_NAME); it is stripped from the start of PATH_INFO.',
  details: 'Defaults to the `SCRIPT_NAME` environment variable (or `-e SCRIPT_NAME=…`), as in Gunicorn.',
});

export const serverSettings = [bind, keepAlive, rootPath] as const;
