// docs/settings.md is generated from the registry; this fails when someone changed a setting and not the doc.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderSettingsDoc } from '../../src/config/index.js';

test('docs/settings.md is up to date with the registry (regenerate: node scripts/gen-settings-doc.mjs)', () => {
  const committed = readFileSync(new URL('../../docs/settings.md', import.meta.url), 'utf8');
  assert.equal(committed, renderSettingsDoc());
});
