#!/usr/bin/env node
// The `tsgi` command: argv → settings → supervisor. Usage errors print one line and exit 2.

import {
  type Config,
  helpText,
  printConfigText,
  resolveConfig,
  tsgiVersion,
  USAGE_EXIT_CODE,
  UsageError,
} from './config/index.js';
import { checkConfig } from './supervisor/check-config.js';
import { detach, isDetachedCopy } from './supervisor/daemon.js';
import { runSupervisor, type SupervisorOptions } from './supervisor/index.js';

function supervisorOptions(config: Config & { app: string }): SupervisorOptions {
  const { config: _file, printConfig: _print, ...options } = config;
  return options;
}

async function main(): Promise<number> {
  const detached = isDetachedCopy();
  try {
    const resolution = await resolveConfig({
      argv: process.argv.slice(2),
      env: process.env,
      cwd: process.cwd(),
    });
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
        const options = { ...supervisorOptions(resolution.config), pythonHooks: resolution.pythonConfig };
        const { notices } = resolution;
        if (options.daemon && !options.checkConfig && !detached) {
          detach(options.enableStdioInheritance);
          return 0;
        }
        // A detached server gets umask 022, as Gunicorn's daemonize() sets, unless --umask says otherwise.
        if (detached && options.umask === null) process.umask(0o22);
        return await (options.checkConfig ? checkConfig(options, notices) : runSupervisor(options, notices));
      }
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`tsgi: error: ${error.message}\n`);
    return USAGE_EXIT_CODE;
  }
}

process.exit(await main());
