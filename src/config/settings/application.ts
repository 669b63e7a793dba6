// The app to serve and where settings come from.

import { defineSetting } from '../setting.js';
import { nonEmptyText, optionalText } from '../validators.js';

export const app = defineSetting({
  name: 'app',
  section: 'application',
  example: 'app.ts',
  flags: [],
  positional: true,
  metavar: 'APP',
  default: null as string | null,
  defaultText: '(required)',
  expected: 'a script (app.ts, src/app.js:handler) or a Python module (proj.wsgi:application)',
  validate: (value) => nonEmptyText(value) as string | null,
  help: 'The app to serve: FILE[:NAME] for a TypeScript/JavaScript app, MODULE[:NAME] for a Python WSGI app.',
  details:
    'A target whose file part ends in .ts, .mts, .cts, .js, .mjs or .cjs, or contains a `/`, is a script, loaded in ' +
    'Node worker processes; anything else is a Python module, served by a pool of Python processes. NAME defaults ' +
    'to `application`, as in Gunicorn.',
});

export const config = defineSetting({
  name: 'config',
  section: 'application',
  example: 'tsgi.config.mjs',
  flags: ['-c', '--config'],
  metavar: 'FILE',
  default: null as string | null,
  defaultText: './gunicorn.conf.py when it exists, else none',
  expected: 'a path to a .js, .mjs, .cjs, .ts, .json or .py file, or python:MODULE',
  validate: optionalText,
  help:
    'A config file exporting settings by name (a JS module or JSON, e.g. `export const workers = 4`), or a ' +
    "Gunicorn config file (`gunicorn.conf.py`, `python:MODULE`) with Gunicorn's names.",
  details:
    'In a JS or JSON file, names are the camelCase of the long flag (`--max-requests` → `maxRequests`); a module ' +
    'may also export a default object of settings, and a name that is not a setting is an error. A Python file ' +
    "is run by the app's interpreter (`--python`, else `$VIRTUAL_ENV/bin/python`, else `python3`) as Gunicorn " +
    "runs it, and its top-level names that are Gunicorn settings set tsgi's (`workers`, `bind`, `accesslog`, " +
    '`raw_env`, `proc_name`…); its other names are its own, ignored as Gunicorn ignores them. Gunicorn settings ' +
    'without a tsgi equivalent are named in the log with the reason; the worker hooks (`post_fork`, ' +
    '`pre_request`…) run in each Python worker, the arbiter hooks (`when_ready`…) are named in a warning. With ' +
    'no `-c`, `./gunicorn.conf.py` is read when it exists, as ' +
    'Gunicorn does. Precedence, lowest first: defaults, environment defaults, the config file, `TSGI_CMD_ARGS`, ' +
    'the command line.',
});

export const applicationSettings = [app, config] as const;
