// The settings: one registry, and everything derived from it. Only src/cli.ts imports this folder.

export { helpText } from './help.js';
export { parseArgv } from './parse-argv.js';
export { printConfigText } from './print-config.js';
export { allSettings, type Config, defaultConfig, type SettingName } from './registry.js';
export { type Resolution, resolveConfig, type Sources } from './resolve.js';
export type { Setting } from './setting.js';
export { renderSettingsDoc } from './settings-doc.js';
export { USAGE_EXIT_CODE, UsageError } from './usage-error.js';
export { tsgiVersion } from './version.js';
