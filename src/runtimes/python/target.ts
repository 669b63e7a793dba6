// Which runtime a target names: 'pkg.mod:app', 'mod', 'mod:create_app()' are Python (Gunicorn's syntax);
// 'app.ts:NAME', './app.js', 'x.mjs' are TypeScript/JavaScript files.

const SCRIPT_EXTENSION = /\.(?:[cm]?[jt]s|tsx|jsx)$/i;
const PYTHON_MODULE = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export function isPythonTarget(target: string): boolean {
  const colon = target.indexOf(':');
  const module = (colon === -1 ? target : target.slice(0, colon)).trim();
  if (module.includes('/') || module.includes('\\') || SCRIPT_EXTENSION.test(module)) return false;
  return PYTHON_MODULE.test(module);
}
