// The process the server runs in: its directory and environment.

import { defineSetting, InvalidValue } from '../setting.js';
import { boolean, listOf, optionalText, text } from '../validators.js';

export const chdir = defineSetting({
  name: 'chdir',
  section: 'mechanics',
  example: '/srv/app',
  flags: ['--chdir'],
  metavar: 'DIR',
  default: null as string | null,
  defaultText: 'the current directory',
  expected: 'a directory path',
  validate: optionalText,
  help: 'Change to DIR before loading the app; a relative APP path is then relative to DIR.',
});

export const pid = defineSetting({
  name: 'pid',
  section: 'mechanics',
  example: '/run/tsgi.pid',
  flags: ['-p', '--pid'],
  metavar: 'FILE',
  default: null as string | null,
  defaultText: 'none',
  expected: 'a file path',
  validate: optionalText,
  help: "Write the main process's pid to FILE at start and remove it on exit, as Gunicorn's --pid.",
  details:
    'A relative path is taken from `--chdir` when one is given, as in Gunicorn. A file naming a process that ' +
    'is still running makes tsgi refuse to start (another server owns it); one naming a dead process is stale ' +
    'and replaced.',
});

function keyValue(value: unknown): [string, string] {
  const pair = text(value);
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new InvalidValue();
  return [pair.slice(0, eq), pair.slice(eq + 1)];
}

/** `-e K=V` items, or a config file's `{ K: 'V' }` object. */
function environment(value: unknown): Array<[string, string]> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).map(([k, v]) => keyValue(`${k}=${typeof v === 'string' ? v : String(v)}`));
  }
  return listOf(keyValue)(value);
}

export const env = defineSetting({
  name: 'env',
  section: 'mechanics',
  example: 'DJANGO_SETTINGS_MODULE=proj.settings',
  flags: ['-e', '--env'],
  metavar: 'KEY=VALUE',
  repeatable: true,
  default: [] as Array<[string, string]>,
  defaultText: 'none',
  expected: 'KEY=VALUE',
  validate: environment,
  help: "Set an environment variable in the workers' process.env (and a Python app's os.environ). Repeatable.",
});

export const printConfig = defineSetting({
  name: 'printConfig',
  section: 'mechanics',
  example: '',
  flags: ['--print-config'],
  metavar: '',
  boolean: true,
  default: false,
  expected: 'true or false',
  validate: boolean,
  help: 'Print the resolved settings, one per line, and exit.',
});

export const preload = defineSetting({
  name: 'preload',
  section: 'mechanics',
  example: '',
  flags: ['--preload'],
  metavar: '',
  boolean: true,
  default: false,
  expected: 'true or false',
  validate: boolean,
  help: "Accepted for Gunicorn's command line; each worker loads the app itself (tsgi logs so).",
  details:
    "Gunicorn's `--preload` imports the app once in the arbiter and forks the workers from it, to share memory " +
    "and to fail before forking. tsgi's workers are started, not forked from a loaded app (Node workers by " +
    'node:cluster, Python workers as fresh interpreters), so there is nothing to share; an app that cannot be ' +
    'loaded stops tsgi at start-up with its error either way (exit code 4).',
});

export const mechanicsSettings = [chdir, env, pid, preload, printConfig] as const;
