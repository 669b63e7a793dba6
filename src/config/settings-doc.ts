// docs/settings.md, rendered from the registry. `node scripts/gen-settings-doc.mjs` writes it; a test fails
// when the committed file differs from this rendering.

import { defaultText, flagsText } from './describe.js';
import { GUNICORN_FOREIGN, GUNICORN_SETTINGS } from './gunicorn-names.js';
import { allSettings } from './registry.js';
import { SECTION_TITLES, SECTIONS, type Setting } from './setting.js';

function exampleText(setting: Setting): string {
  if (setting.positional) return `tsgi ${setting.example}`;
  if (setting.configFileOnly) return setting.example;
  const flag = setting.flags.find((f) => f.startsWith('--')) ?? setting.flags[0];
  const tail = setting.exampleTail ?? 'APP';
  return (setting.boolean ? `tsgi ${flag} ${tail}` : `tsgi ${flag} ${setting.example} ${tail}`).trimEnd();
}

export function renderSettingsDoc(): string {
  const out = [
    '# Settings',
    '',
    '<!-- Generated from src/config/settings/*.ts by `node scripts/gen-settings-doc.mjs`. Do not edit by hand. -->',
    '',
    'Every setting can be given on the command line, in `TSGI_CMD_ARGS` (parsed like the command line; when it is',
    "not set, Gunicorn's `GUNICORN_CMD_ARGS` is read the same way), or in a",
    'config file (`-c FILE`: a JavaScript module or JSON exporting settings by name, or a Gunicorn',
    '`gunicorn.conf.py`). Precedence, lowest first: built-in default, environment default, config file,',
    '`TSGI_CMD_ARGS`, command line.',
    "A setting's name (for JS and JSON config files) is its long flag in camelCase: `--max-requests` → `maxRequests`;",
    "a Python config file uses Gunicorn's names ([below](#gunicorn-names)).",
  ];
  for (const section of SECTIONS) {
    out.push('', `## ${SECTION_TITLES[section]}`);
    for (const setting of allSettings().filter((s) => s.section === section)) {
      out.push('', `### \`${setting.name}\``, '');
      out.push(`- Command line: \`${flagsText(setting)}\`${setting.repeatable ? ' (repeatable)' : ''}`);
      out.push(`- Default: \`${defaultText(setting)}\``);
      if (setting.env) out.push(`- Environment default: \`${setting.env}\``);
      out.push(`- Value: ${setting.expected}`);
      out.push(`- Example: \`${exampleText(setting)}\``);
      out.push('', setting.help);
      if (setting.details) out.push('', setting.details);
    }
  }
  out.push(...gunicornSection());
  return `${out.join('\n')}\n`;
}

const EFFECT_TEXT = {
  none: 'accepted; no effect',
  ignored: 'accepted; **ignored** (a warning says so)',
  refused: '**refused** (a usage error)',
} as const;

/** Gunicorn's names → tsgi's settings, then Gunicorn's other settings and what tsgi does with each. */
function gunicornSection(): string[] {
  const out = [
    '',
    '## Gunicorn names',
    '',
    "A Python config file (`gunicorn.conf.py`) sets tsgi's settings under Gunicorn's names:",
    '',
    '| Gunicorn | tsgi |',
    '|---|---|',
  ];
  for (const [name, setting] of Object.entries(GUNICORN_SETTINGS))
    out.push(`| \`${name}\` | \`${setting}\` |`);
  out.push(
    '',
    "Gunicorn's other settings, on the command line or in a config file, and what tsgi does with them. Server",
    'hooks (`post_fork`, `when_ready`…) are not called; one warning names those a config file defines. A config',
    "file's value that is `None`, `False` or Gunicorn's own default asks for nothing and is not mentioned.",
    '',
    '| Gunicorn | flags | tsgi | why |',
    '|---|---|---|---|',
  );
  for (const [name, setting] of Object.entries(GUNICORN_FOREIGN).sort(([a], [b]) => a.localeCompare(b))) {
    const flags = setting.flags?.map((f) => `\`${f}\``).join(', ') ?? '(config file only)';
    out.push(`| \`${name}\` | ${flags} | ${EFFECT_TEXT[setting.effect]} | ${setting.why} |`);
  }
  return out;
}
