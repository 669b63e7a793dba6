#!/usr/bin/env node
// The `tsgi` command: argv → settings → supervisor. Usage errors print one line and exit 2.

import {
  helpText,
  printConfigText,
  type Resolution,
  resolveConfig,
  tsgiVersion,
  USAGE_EXIT_CODE,
  UsageError,
} from './config/index.js';
import { checkConfig } from './supervisor/check-config.js';
import { detach, isDetachedCopy } from './supervisor/daemon.js';
import {
  EXIT_STARTUP_ERROR,
  openMainErrorLog,
  type ReadOptions,
  runSupervisor,
  type SupervisorOptions,
} from './supervisor/index.js';
import { releaseEarlySignals, stopOnEarlySignals } from './supervisor/signals.js';

/** The supervisor's options from a resolved configuration (the settings, and a Python config file's hooks). */
function supervisorOptions(run: Extract<Resolution, { kind: 'run' }>): SupervisorOptions {
  const { config: _file, printConfig: _print, ...settings } = run.config;
  return { ...settings, pythonHooks: run.pythonConfig };
}

async function main(): Promise<number> {
  const detached = isDetachedCopy();
  // The sources as they are now: SIGHUP resolves the settings again from these (before --chdir and -e apply).
  const sources = { argv: process.argv.slice(2), env: { ...process.env }, cwd: process.cwd() };
  const readOptions: ReadOptions = async () => {
    const again = await resolveConfig(sources);
    if (again.kind !== 'run') throw new Error('the configuration no longer runs an app');
    return { options: supervisorOptions(again), notices: again.notices };
  };
  try {
    const resolution = await resolveConfig(sources);
    switch (resolution.kind) {
      case 'help':
        process.stdout.write(helpText());
        return 0;
      case 'version':
        process.stdout.write(`tsgi ${tsgiVersion()}\n`);
        return 0;
      case 'print-config':
        for (const { level, message } of resolution.notices)
          process.stderr.write(`tsgi: ${level}: ${message}\n`);
        process.stdout.write(printConfigText(resolution.config));
        return 0;
      case 'run': {
        const options = supervisorOptions(resolution);
        const { notices } = resolution;
        if (options.daemon && !options.checkConfig && !detached) {
          // Detached, the server reports only to its error log: one it cannot open is said here, before.
          const errorLog = openMainErrorLog(options);
          if (errorLog === null) return EXIT_STARTUP_ERROR;
          errorLog.end(() => {});
          detach(options.enableStdioInheritance);
          return 0;
        }
        // A detached server gets umask 022, as Gunicorn's daemonize() sets, unless --umask says otherwise.
        if (detached && options.umask === null) process.umask(0o22);
        if (options.checkConfig) {
          // An interrupted check must not end 0, as if the configuration were sound.
          releaseEarlySignals();
          return await checkConfig(options, notices);
        }
        return await runSupervisor(options, notices, readOptions);
      }
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`tsgi: error: ${error.message}\n`);
    return USAGE_EXIT_CODE;
  }
}

// When the event loop empties while main() still waits, nothing can ever settle it: a module (a config file, a script
// app) whose top-level await never settles. Node would end with 13 and no word; say what it was waiting for.
let finished = false;
process.once('beforeExit', () => {
  if (!finished)
    process.stderr.write(
      'tsgi: error: start-up stopped waiting for a module that never finished loading (a config file or app whose top-level await never settles?)\n',
    );
});

stopOnEarlySignals();
const code = await main();
finished = true;
process.exit(code);
