// THE settings registry: every setting, in section order. Everything else about settings derives from this list.

import type { Setting } from './setting.js';
import { applicationSettings } from './settings/application.js';
import { limitSettings } from './settings/limits.js';
import { loggingSettings } from './settings/logging.js';
import { mechanicsSettings } from './settings/mechanics.js';
import { pythonSettings } from './settings/python.js';
import { serverSettings } from './settings/server.js';
import { workerSettings } from './settings/workers.js';

export const SETTINGS = [
  ...applicationSettings,
  ...serverSettings,
  ...workerSettings,
  ...loggingSettings,
  ...limitSettings,
  ...pythonSettings,
  ...mechanicsSettings,
] as const;

type AnySetting = (typeof SETTINGS)[number];
export type SettingName = AnySetting['name'];

/** The resolved settings: one typed value per setting. */
export type Config = { [S in AnySetting as S['name']]: S['default'] };

const byName = new Map<string, Setting>();
const byFlag = new Map<string, Setting>();
for (const setting of SETTINGS as readonly Setting[]) {
  // Declaring a name or a flag twice is a bug in tsgi; fail at import, not at some later lookup.
  if (byName.has(setting.name)) throw new Error(`tsgi: setting '${setting.name}' is declared twice`);
  byName.set(setting.name, setting);
  for (const flag of setting.flags) {
    if (byFlag.has(flag)) throw new Error(`tsgi: flag ${flag} is declared by two settings`);
    byFlag.set(flag, setting);
  }
}

export function settingNamed(name: string): Setting | undefined {
  return byName.get(name);
}

export function settingForFlag(flag: string): Setting | undefined {
  return byFlag.get(flag);
}

export function allSettings(): readonly Setting[] {
  return SETTINGS as readonly Setting[];
}

/** Every setting at its built-in default (environment defaults not applied). */
export function defaultConfig(): Config {
  const config: Record<string, unknown> = {};
  for (const setting of allSettings()) config[setting.name] = setting.default;
  return config as Config;
}
