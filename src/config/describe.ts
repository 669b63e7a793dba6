// How a setting reads to people: its flags and its default, shared by --help, --print-config and the docs.

import type { Setting } from './setting.js';

/** `-w, --workers INT`, `--reload`, `APP`. */
export function flagsText(setting: Setting): string {
  if (setting.positional) return setting.metavar;
  if (setting.configFileOnly) return '(config file only)';
  const flags = setting.flags.join(', ');
  if (setting.boolean) return flags;
  return setting.bare === undefined ? `${flags} ${setting.metavar}` : `${flags} [${setting.metavar}]`;
}

export function valueText(value: unknown): string {
  if (value === null) return 'none';
  if (Array.isArray(value)) {
    if (value.length === 0) return 'none';
    return value.map((item) => (Array.isArray(item) ? item.join('=') : String(item))).join(', ');
  }
  if (value === '') return "''";
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k}: ${String(v)}`).join(', ');
  }
  return String(value);
}

export function defaultText(setting: Setting): string {
  return setting.defaultText ?? valueText(setting.default);
}
