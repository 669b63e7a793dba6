// docs/settings.md, rendered from the registry. `node scripts/gen-settings-doc.mjs` writes it; a test fails
// when the committed file differs from this rendering.

import { defaultText, flagsText } from './describe.js';
import { allSettings } from './registry.js';
import { SECTION_TITLES, SECTIONS, type Setting } from './setting.js';

function exampleText(setting: Setting): string {
  if (setting.positional) return `tsgi ${setting.example}`;
  const flag = setting.flags.find((f) => f.startsWith('--')) ?? setting.flags[0];
  return setting.boolean ? `tsgi ${flag} APP` : `tsgi ${flag} ${setting.example} APP`;
}

export function renderSettingsDoc(): string {
  const out = [
    '# Settings',
    '',
    '<!-- Generated from src/config/settings/*.ts by `node scripts/gen-settings-doc.mjs`. Do not edit by hand. -->',
    '',
    'Every setting can be given on the command line, in `TSGI_CMD_ARGS` (parsed like the command line), or in a',
    'config file (`-c FILE`: a JavaScript module or JSON exporting settings by name). Precedence, lowest first:',
    'built-in default, environment default, config file, `TSGI_CMD_ARGS`, command line.',
    "A setting's name (for config files) is its long flag in camelCase: `--max-requests` → `maxRequests`.",
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
  return `${out.join('\n')}\n`;
}
