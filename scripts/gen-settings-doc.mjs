#!/usr/bin/env node
// Writes docs/settings.md from the settings registry (src/config/settings/*.ts). tests/config/settings-doc.test.ts
// fails when the committed file is out of date: run `node scripts/gen-settings-doc.mjs` and commit the result.
import { writeFileSync } from 'node:fs';
import { register } from 'tsx/esm/api';

register();
const { renderSettingsDoc } = await import('../src/config/settings-doc.ts');
const target = new URL('../docs/settings.md', import.meta.url);
writeFileSync(target, renderSettingsDoc());
console.log(`wrote ${target.pathname}`);
