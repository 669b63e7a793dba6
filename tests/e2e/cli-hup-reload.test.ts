// SIGHUP reloads the configuration, as in Gunicorn: the replacement workers run with the config file as it is now;
// a setting the running arbiter cannot change is named in a warning; a configuration that no longer resolves is
// refused and the server keeps serving as it was.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor } from '../support/async.js';
import { APPS, freePort, get, sleep, startTsgi } from './cli-harness.js';

/** The distinct worker pids that answer `requests` requests (pid-echo answers with its worker's pid). */
async function workerPids(port: number, requests = 60): Promise<Set<string>> {
  const pids = new Set<string>();
  for (let i = 0; i < requests; i++) pids.add((await get(port)).body);
  return pids;
}

/** Waits until `count` distinct workers answer (the ones being replaced have stopped answering). */
async function workersAnswering(port: number, count: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  let seen = 0;
  while (Date.now() < deadline) {
    seen = (await workerPids(port)).size;
    if (seen === count) return;
    await sleep(200);
  }
  assert.fail(`expected ${count} workers answering, saw ${seen}`);
}

test('SIGHUP rereads the config file: the new workers count applies, a new bind is only warned about', {
  timeout: 40_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-hup-'));
  // A module, not JSON: imported modules are cached, and a reload must see the file as it is now.
  const conf = join(dir, 'tsgi.config.mjs');
  const write = (settings: object) => writeFileSync(conf, `export default ${JSON.stringify(settings)};\n`);
  const port = await freePort();
  write({ workers: 1, bind: [`127.0.0.1:${port}`] });
  const tsgi = await startTsgi([`${APPS}/pid-echo.ts`, '-c', conf]);
  try {
    await workersAnswering(port, 1);
    write({ workers: 3, bind: [`127.0.0.1:${port + 1}`] });
    tsgi.send('SIGHUP');
    await tsgi.waitForOutput(/\[INFO\] Reloaded the configuration/);
    assert.match(tsgi.output, /\[WARNING\] bind changed in the configuration: restart tsgi to apply it/);
    await workersAnswering(port, 3);

    // A broken configuration is refused as a whole: the server keeps its workers and settings.
    write({ workers: 'many' });
    tsgi.send('SIGHUP');
    await tsgi.waitForOutput(
      /\[ERROR\] Reloading the configuration failed, so it stays as it was: .*workers/,
    );
    await waitFor(() => tsgi.count(/Booting worker with pid/) >= 7, 15_000); // SIGHUP still restarts them
    await workersAnswering(port, 3);
  } finally {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("SIGHUP applies a new log level to the arbiter's own lines too", { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-hup-'));
  const conf = join(dir, 'tsgi.config.mjs');
  const write = (settings: object) => writeFileSync(conf, `export default ${JSON.stringify(settings)};\n`);
  const port = await freePort();
  write({ logLevel: 'info', bind: [`127.0.0.1:${port}`] });
  const tsgi = await startTsgi([`${APPS}/pid-echo.ts`, '-c', conf]);
  try {
    assert.doesNotMatch(tsgi.output, /\[DEBUG\]/);
    write({ logLevel: 'debug', bind: [`127.0.0.1:${port}`] });
    tsgi.send('SIGHUP');
    await tsgi.waitForOutput(/\[INFO\] Reloaded the configuration/);
    // Only the arbiter logs this, when it starts the replacement worker.
    await tsgi.waitForOutput(/\[DEBUG\] Spawned worker \(pid:\d+\)/);
  } finally {
    await tsgi.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
