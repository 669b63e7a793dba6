// `tsgi --help`, derived from the registry.

import { defaultText, flagsText } from './describe.js';
import { allSettings } from './registry.js';
import { SECTION_TITLES, SECTIONS } from './setting.js';

const FLAG_COLUMN = 32;
const WIDTH = 100;

function wrap(text: string, indent: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && indent + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

function entry(flags: string, help: string): string {
  const head = `  ${flags}`;
  const pad =
    head.length < FLAG_COLUMN ? ' '.repeat(FLAG_COLUMN - head.length) : `\n${' '.repeat(FLAG_COLUMN)}`;
  return `${head}${pad}${wrap(help, FLAG_COLUMN)}`;
}

export function helpText(): string {
  const out = [
    'usage: tsgi [OPTIONS] APP',
    '',
    'Serve a WSGI app: APP is FILE[:NAME] for a TypeScript/JavaScript app (app.ts, dist/app.js:handler), or',
    'MODULE[:NAME] for a Python one (proj.wsgi:application). NAME defaults to "application".',
    'Options may also come from a config file (-c, or ./gunicorn.conf.py) and from TSGI_CMD_ARGS (else',
    'GUNICORN_CMD_ARGS); the command line wins.',
  ];
  for (const section of SECTIONS) {
    out.push('', `${SECTION_TITLES[section]}:`);
    for (const setting of allSettings().filter((s) => s.section === section && !s.configFileOnly)) {
      const env = setting.env ? `, env ${setting.env}` : '';
      const def = setting.boolean || setting.positional ? '' : ` (default: ${defaultText(setting)}${env})`;
      out.push(entry(flagsText(setting), `${setting.help}${def}`));
    }
  }
  out.push('', 'General:');
  out.push(entry('-h, --help', 'Show this help and exit.'));
  out.push(entry('-v, --version', 'Print the version and exit.'));
  out.push('', 'Every setting, with details: docs/settings.md');
  return `${out.join('\n')}\n`;
}
