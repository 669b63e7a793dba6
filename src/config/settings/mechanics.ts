// The process the server runs in: its directory and environment.

import { parseUmask } from '../../supervisor/credentials.js';
import { defineSetting, InvalidValue } from '../setting.js';
import { boolean, listOf, nameOrId, optionalText, text } from '../validators.js';

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
function keyValues(value: unknown): Array<[string, string]> {
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
  validate: keyValues,
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

export const name = defineSetting({
  name: 'name',
  section: 'mechanics',
  example: 'shop',
  flags: ['-n', '--name'],
  metavar: 'STRING',
  default: null as string | null,
  defaultText: 'none: the processes keep their command lines',
  expected: 'a short name',
  validate: optionalText,
  help: "Name the processes for ps and top, as Gunicorn's: `tsgi: master [NAME]`, `tsgi: worker [NAME]`.",
  details:
    'Useful to tell several servers apart. Linux keeps a title within the length of the original command line. ' +
    'The Python worker processes keep theirs.',
});

export const checkConfig = defineSetting({
  name: 'checkConfig',
  section: 'mechanics',
  example: '',
  flags: ['--check-config'],
  metavar: '',
  boolean: true,
  default: false,
  expected: 'true or false',
  validate: boolean,
  help: 'Check the settings and that the app loads, then exit: 0 when it would start, 1 with the reason.',
  details:
    "As Gunicorn's: nothing is bound and no request is served. Checked: every setting, `--chdir`, the TLS files, " +
    '`--user`/`--group`, and the app itself (a script is imported; a Python app is imported by one Python worker).',
});

export const daemon = defineSetting({
  name: 'daemon',
  section: 'mechanics',
  example: '',
  flags: ['-D', '--daemon'],
  metavar: '',
  boolean: true,
  default: false,
  expected: 'true or false',
  validate: boolean,
  help: 'Detach from the terminal and run in the background; the command returns at once.',
  details:
    "As Gunicorn's `-D`: the server runs as the leader of a new session with stdin, stdout and stderr on " +
    '/dev/null (see `-R`), so give `--error-logfile` (and `--pid`, to stop it: `kill $(cat FILE)`). tsgi starts ' +
    'itself again for this (Node cannot fork): with the same arguments, environment and directory. Under systemd, ' +
    'supervisord or a container, leave it off.',
});

export const enableStdioInheritance = defineSetting({
  name: 'enableStdioInheritance',
  section: 'mechanics',
  example: '',
  flags: ['-R', '--enable-stdio-inheritance'],
  metavar: '',
  boolean: true,
  default: false,
  expected: 'true or false',
  validate: boolean,
  help: "With --daemon, keep tsgi's stdin, stdout and stderr instead of /dev/null.",
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
  help: 'Import a Python app once, in a zygote process, and fork the workers from it.',
  details:
    "As Gunicorn's `--preload`: each front end starts a Python zygote that imports the app (and the config file's " +
    'hooks), then forks its workers from it, so they share the memory the import filled until they write to it, ' +
    'and a worker that dies or is recycled is forked again without a new import. `post_fork` and ' +
    '`post_worker_init` run in each forked worker. An app that cannot be imported stops tsgi at start-up, before ' +
    'any fork (exit code 4). A zygote that dies takes its workers with it (their running requests get 502) and a ' +
    'new one imports the app. Unlike Gunicorn, whose reload (SIGHUP) keeps the preloaded code, a reload imports ' +
    'the app again: it replaces the front ends, and with them the zygotes. No effect for a TypeScript app (tsgi logs so): each Node worker loads it.',
});

export const user = defineSetting({
  name: 'user',
  section: 'mechanics',
  example: 'www-data',
  flags: ['-u', '--user'],
  metavar: 'USER',
  default: null as string | null,
  defaultText: 'the user tsgi runs as',
  expected: 'a user name or a numeric uid',
  validate: nameOrId,
  help: 'Run the workers (and so the app, and its Python processes) as this user; tsgi must start as root.',
  details:
    'As in Gunicorn, the main process stays root (it binds the sockets, so a port below 1024 works, and writes ' +
    "the pid file) and each worker switches before it loads the app. Without `--group` the workers take the user's " +
    "own primary group (Gunicorn would keep root's). A unix socket tsgi binds is handed to the user and group. " +
    "The app's files, and for a Python app the interpreter and its virtualenv, must be readable by that user.",
});

export const group = defineSetting({
  name: 'group',
  section: 'mechanics',
  example: 'www-data',
  flags: ['-g', '--group'],
  metavar: 'GROUP',
  default: null as string | null,
  defaultText: "the user's primary group with --user, else tsgi's",
  expected: 'a group name or a numeric gid',
  validate: nameOrId,
  help: 'Run the workers with this group (and no supplementary groups); tsgi must start as root.',
});

export const initgroups = defineSetting({
  name: 'initgroups',
  section: 'mechanics',
  example: '',
  flags: ['--initgroups'],
  metavar: '',
  boolean: true,
  default: false,
  expected: 'true or false',
  validate: boolean,
  help: "With --user: give the workers the user's supplementary groups (from the group database) besides --group.",
  details:
    "As Gunicorn's `--initgroups`. Without it a worker has its one group only, so a file readable through " +
    "another of the user's groups is not.",
});

function umaskValue(value: unknown): number | null {
  if (value === null) return null;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0o777) return value;
  const mask = typeof value === 'string' ? parseUmask(value) : null;
  if (mask === null) throw new InvalidValue();
  return mask;
}

export const umask = defineSetting({
  name: 'umask',
  section: 'mechanics',
  example: '0007',
  flags: ['-m', '--umask'],
  metavar: 'INT',
  default: null as number | null,
  defaultText: 'the one tsgi was started with',
  expected: 'a mode mask such as 0022 (octal with a leading 0), 0o22, 0x12 or 18',
  validate: umaskValue,
  help: 'The file-mode mask of tsgi and its workers: it sets the mode of the unix sockets and files they create.',
  details:
    'Gunicorn applies its `--umask` (default 0: sockets and the pid file readable and writable by everyone) the ' +
    'same way; tsgi leaves the inherited mask alone unless told, so its default is the safer one your shell has.',
});

export const mechanicsSettings = [
  chdir,
  env,
  pid,
  user,
  group,
  initgroups,
  umask,
  name,
  daemon,
  enableStdioInheritance,
  preload,
  checkConfig,
  printConfig,
] as const;
