// Python WSGI apps (Flask, Django, any PEP 3333 app) in Python worker processes, as tsgi Applications.
export { PythonAppError, pythonErrors } from './errors.js';
export {
  DEFAULT_BODY_MEMORY_LIMIT,
  defaultPython,
  type PythonApplication,
  type PythonAppOptions,
  pythonApp,
} from './python-app.js';
export type { PythonHooksConfig } from './worker.js';
