// The Python runtime's part of the error catalog (style of src/gateway/errors.ts): each error owns its status,
// a stable code, and a message that says how to fix it.

import { ServerFault, TsgiError } from '../../gateway/errors.js';

/** For an error about the Python side, whose JS stack (tsgi's own frames) says nothing: the message alone. */
function withoutJsStack<E extends Error>(error: E): E {
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

/** The Python app raised. Its traceback is the message, and the stack too: the JS stack says nothing. */
export class PythonAppError extends TsgiError {
  readonly code = 'TSGI_PYTHON_APP_ERROR';
  readonly status = 500;
  constructor(traceback: string) {
    super(`the Python app raised an exception:\n${traceback.trimEnd()}`);
    withoutJsStack(this);
  }
}

/** Python's exceptions for source that does not parse: the traceback points at the line, nothing else to check. */
const SYNTAX_ERRORS = new Set(['SyntaxError', 'IndentationError', 'TabError']);

export const pythonErrors = {
  workerCrashed: (pid: number | undefined, how: string) =>
    new ServerFault(
      'TSGI_WORKER_CRASHED',
      502,
      `the Python worker (pid ${pid}) died while running this request (${how}); it was replaced. ` +
        "Look at its last output (tsgi's stderr, or the error log with --capture-output); a segfault or kill -9 " +
        '(OOM killer) is the usual cause',
    ),
  workerTimeout: (pid: number | undefined, seconds: number) =>
    new ServerFault(
      'TSGI_WORKER_TIMEOUT',
      504,
      `the Python app ran past the timeout of ${seconds} s; its worker (pid ${pid}) was killed and replaced. ` +
        'The stacks of its threads are in the error log above; raise --timeout if such requests are expected',
    ),
  workerKilledForTimeout: (pid: number | undefined, seconds: number, ranSeconds: number) =>
    new ServerFault(
      'TSGI_WORKER_KILLED',
      502,
      `the Python worker (pid ${pid}) running this request was killed for the request before it, which ran past ` +
        `the timeout of ${seconds} s (this one had run ${ranSeconds.toFixed(1)} s); it was replaced. The ` +
        'WORKER TIMEOUT above names the cause',
    ),
  workerBlocked: (pid: number | undefined, seconds: number, gevent: boolean) =>
    new ServerFault(
      'TSGI_WORKER_BLOCKED',
      504,
      gevent
        ? `the Python worker (pid ${pid}) running this request under -k gevent had its event loop blocked for ` +
            `${seconds} s (--timeout); it was killed and replaced. The stack of the code that blocked it is in the ` +
            'error log above: CPU-bound work, or a call gevent cannot switch out of (a C library doing its own I/O)'
        : `the Python worker (pid ${pid}) running this request under --threads sent no heartbeat for ${seconds} s ` +
            '(--timeout): none of its threads could run Python; it was killed and replaced. The stacks of its ' +
            'threads are in the error log above: C code that holds the GIL (a regex, a C extension) is the usual cause',
    ),
  appImportFailed: (target: string, type: string, message: string) =>
    withoutJsStack(
      new ServerFault(
        'TSGI_APP_IMPORT_FAILED',
        500,
        // The exception's own message may end a sentence already ("Failed to find attribute 'app' in 'x'.").
        `could not load the Python app '${target}': ${type}: ${message.replace(/\.$/, '')}. ` +
          (SYNTAX_ERRORS.has(type)
            ? 'Fix the line that the traceback in the error log points to'
            : (target.startsWith('config:/')
                ? 'Check the --paste file, its [app:…] section and --paste-global'
                : "Check the target ('module:callable' or 'module:factory()')") +
              ', --chdir and --pythonpath, and that the interpreter (--python, or $VIRTUAL_ENV) has the packages the ' +
              'app imports; the traceback is in the error log'),
      ),
    ),
  workerExitedAtBoot: (python: string, how: string, output: string) =>
    new ServerFault(
      'TSGI_WORKER_BOOT_FAILED',
      500,
      `the Python worker exited before it was ready (${how}) using interpreter '${python}'. ` +
        `Check that it is Python ≥ 3.9 and can run the app${output ? `; its last output:\n${output}` : ''}`,
    ),
  pythonNotFound: (python: string, detail: string) =>
    new ServerFault(
      'TSGI_PYTHON_NOT_FOUND',
      500,
      `could not start the Python interpreter '${python}' (${detail}). ` +
        'Pass --python /path/to/python, or activate the virtualenv (VIRTUAL_ENV) that has the app installed',
    ),
  shutdownCut: (pid: number | undefined) =>
    new ServerFault(
      'TSGI_SHUTDOWN_CUT',
      503,
      `the server stopped before this request finished: --graceful-timeout ended and its Python worker (pid ${pid}) ` +
        'was killed. Raise --graceful-timeout if requests this long are expected to finish on a stop or reload',
    ),
  poolClosed: () =>
    new ServerFault(
      'TSGI_PYTHON_POOL_CLOSED',
      503,
      'the Python workers are shutting down and did not take this request; the client may retry',
    ),
  noWorker: () =>
    new ServerFault(
      'TSGI_PYTHON_NO_WORKER',
      503,
      'no Python worker is running: the last one failed to start (its error is in the log above); tsgi retries every second. Fix the app or its environment (a module, a database reachable at import)',
    ),
  protocol: (detail: string) =>
    new ServerFault(
      'TSGI_WIRE_PROTOCOL',
      502,
      `the Python worker broke the frame protocol (${detail}); it was replaced. ` +
        'This is a tsgi bug: please report it with the error log',
    ),
};
