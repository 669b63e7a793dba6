// `tsgi --print-config`: every resolved setting, `name = value`, in registry order (as Gunicorn prints them).

import { valueText } from './describe.js';
import { allSettings, type Config } from './registry.js';

export function printConfigText(config: Config): string {
  const values = config as Record<string, unknown>;
  const width = Math.max(...allSettings().map((s) => s.name.length));
  return `${allSettings()
    .map((s) => `${s.name.padEnd(width)} = ${valueText(values[s.name])}`)
    .join('\n')}\n`;
}
