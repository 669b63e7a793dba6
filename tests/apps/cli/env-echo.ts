// `/NAME` answers with process.env.NAME as the worker sees it ('(unset)' when absent).
import type { Application } from '../../../src/gateway/index.js';

export const application: Application = (environ, startResponse) => {
  const value = process.env[environ.PATH_INFO.slice(1)] ?? '(unset)';
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [new TextEncoder().encode(value)];
};
