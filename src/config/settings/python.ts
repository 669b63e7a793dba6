// Settings for Python WSGI apps only.

import { defineSetting } from '../setting.js';
import { commaList, optionalText } from '../validators.js';

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

export const pythonSettings = [python, pythonpath] as const;
