// Answers with its environ as JSON: every CGI key as given, every wsgi.* key described by its value or type.
import type { Application } from '../../../src/gateway/index.js';

export const application: Application = (environ, startResponse) => {
  const described: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(environ)) {
    const plain = typeof value === 'string' || typeof value === 'boolean' || Array.isArray(value);
    described[key] = plain ? value : typeof value;
  }
  startResponse('200 OK', [['Content-Type', 'application/json']]);
  return [new TextEncoder().encode(JSON.stringify(described))];
};
