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
  defaultText: 'none',
  expected: 'a path to a .js, .mjs, .cjs, .ts or .json file',
  validate: optionalText,
  help: 'A config file (JavaScript module or JSON) exporting settings by name, e.g. `export const workers = 4`.',
  details:
    'Names are the camelCase of the long flag (`--max-requests` → `maxRequests`). A module may also export a ' +
    'default object of settings. Precedence, lowest first: defaults, environment defaults, the config file, ' +
    '`TSGI_CMD_ARGS`, the command line.',
});

export const applicationSettings = [app, config] as const;
