// Settings for Python WSGI apps only.

import { defineSetting, InvalidValue } from '../setting.js';
import { commaList, integer, listOf, optionalText, text } from '../validators.js';

export const python = defineSetting({
  name: 'python',
  section: 'python',
  example: '/srv/venv/bin/python',
  flags: ['--python'],
  metavar: 'PATH',
  default: null as string | null,
  defaultText: '$VIRTUAL_ENV/bin/python, else python3',
  expected: 'a path to a Python 3 interpreter',
  validate: optionalText,
  help: 'The Python interpreter that runs a Python app (a virtualenv interpreter sees its packages).',
});

export const pythonpath = defineSetting({
  name: 'pythonpath',
  section: 'python',
  example: '/srv/app,/srv/lib',
  flags: ['--pythonpath'],
  metavar: 'PATHS',
  default: [] as string[],
  defaultText: 'none',
  expected: 'a comma-separated list of directories',
  validate: commaList,
  help: "Comma-separated directories added to the Python workers' sys.path, e.g. /srv/app,/srv/lib.",
});

export const frontEnds = defineSetting({
  name: 'frontEnds',
  section: 'python',
  example: '2',
  flags: ['--front-ends'],
  metavar: 'INT',
  default: 1,
  expected: 'an integer ≥ 0 (0: one per 4 Python processes, at most one per CPU core)',
  validate: integer(0, 1024),
  help: 'Node front-end processes doing the HTTP for a Python app, the --workers Python processes shared among them.',
  details:
    'Each front end parses, buffers and answers the HTTP for its own pool of Python processes, and all of them ' +
    'accept on the same listening sockets. One front end costs about a quarter of what a small Flask request ' +
    'costs Python, so past a few Python processes, on a machine with the cores to run them, one front end can ' +
    'cap the throughput (top shows it at 100% of a core while Python processes idle): then raise this, or give 0 ' +
    'for one per 4 Python processes, at most one per CPU core. Each connection stays with the front end that ' +
    'accepted it, and the kernel spreads connections unevenly, so a proxy holding a few keep-alive connections ' +
    'may keep one front end busy and another idle: that is why the default is 1. Never more than --workers (each ' +
    'owns at least one); each costs about 50 MiB. Python apps only.',
});

/** Gunicorn's --paste-global KEY=VALUE, read as its Config.paste_global_conf reads it (gunicorn/config.py): split at
 * the first `=` not escaped by a backslash, `\=` unescaped in both parts. A config file may give a list. */
function pasteGlobals(value: unknown): Array<[string, string]> {
  return listOf((item: unknown): [string, string] => {
    const pair = text(item);
    const at = pair.search(/(?<!\\)=/);
    if (at <= 0) throw new InvalidValue();
    const unescaped = (part: string) => part.replaceAll('\\=', '=');
    return [unescaped(pair.slice(0, at)), unescaped(pair.slice(at + 1))];
  })(value);
}

export const paste = defineSetting({
  name: 'paste',
  section: 'python',
  example: 'development.ini',
  exampleTail: '',
  flags: ['--paste', '--paster'],
  metavar: 'FILE',
  default: null as string | null,
  defaultText: 'none',
  expected: 'a PasteDeploy config file, optionally FILE#NAME',
  validate: optionalText,
  help: "Serve the WSGI app of a PasteDeploy config file (a Pyramid project's development.ini) instead of an APP.",
  details:
    "As Gunicorn's `--paste`: the app is loaded with PasteDeploy's `loadapp('config:FILE', name=NAME)` from the " +
    "file's `[app:main]` (or `[app:NAME]`, `[pipeline:…]`, `[composite:…]`) section, relative to the working " +
    "directory, in the app's interpreter (which needs the PasteDeploy package, as Gunicorn does). A relative FILE " +
    'is taken from the directory tsgi starts in, not from `--chdir`, as Gunicorn takes it. When the file ' +
    'has `[loggers]`, each Python worker configures Python logging from it (`logging.config.fileConfig`), as ' +
    "Gunicorn does; tsgi's own logs keep their settings. Its `[server:…]` sections are not read (Gunicorn reads " +
    'them only when started by `pserve`): bind, workers and the rest come from the command line or config ' +
    'file. Give either an APP or --paste.',
});

export const pasteGlobal = defineSetting({
  name: 'pasteGlobal',
  section: 'python',
  example: 'db_url=sqlite:///prod.db',
  exampleTail: '--paste development.ini',
  flags: ['--paste-global'],
  metavar: 'KEY=VALUE',
  repeatable: true,
  default: [] as Array<[string, string]>,
  defaultText: 'none',
  expected: 'KEY=VALUE',
  validate: pasteGlobals,
  help: "A variable for the --paste file's global_conf (its %(KEY)s), as Gunicorn's --paste-global. Repeatable.",
  details:
    'As in Gunicorn, the first `=` not preceded by a backslash ends KEY, and `\\=` stands for `=` in either part. A ' +
    "`[DEFAULT]` value in the file wins over one given here (PasteDeploy's rule).",
});

export const pythonSettings = [python, pythonpath, frontEnds, paste, pasteGlobal] as const;
