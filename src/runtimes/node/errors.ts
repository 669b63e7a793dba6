// Errors loading a TypeScript/JavaScript app; each says how to fix it.

import { TsgiError } from '../../gateway/index.js';

export class AppLoadError extends TsgiError {
  readonly status = 500;
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  static notFound(target: string, path: string): AppLoadError {
    return new AppLoadError(
      'TSGI_APP_NOT_FOUND',
      `cannot load app '${target}': no file at ${path}; check the path (relative to the working directory or --chdir)`,
    );
  }

  static importFailed(target: string, error: unknown): AppLoadError {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new AppLoadError(
      'TSGI_APP_IMPORT_FAILED',
      `cannot load app '${target}': importing it failed with ${detail}`,
      {
        cause: error,
      },
    );
  }

  static noSuchApp(target: string, name: string, callables: string[], found: unknown): AppLoadError {
    const what =
      found === undefined
        ? `has no export named '${name}'`
        : `exports '${name}' but it is a ${typeof found}, not a function`;
    const hint =
      callables.length > 0
        ? `; did you mean ${callables.map((c) => `'${c}'`).join(' or ')}? (write FILE:NAME)`
        : '';
    return new AppLoadError(
      'TSGI_APP_NOT_CALLABLE',
      `cannot load app '${target}': the module ${what}${hint}`,
    );
  }
}
