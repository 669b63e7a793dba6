// Answers with the environ's string values as JSON (byte strings kept as they are, so tests see raw bytes).
import type { Application } from '../../../src/gateway/index.js';

export const echoEnviron: Application = (environ, startResponse) => {
  const strings: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(environ)) {
    if (typeof value === 'string' || typeof value === 'boolean') strings[key] = value;
  }
  startResponse('200 OK', [['Content-Type', 'application/json']]);
  // JSON escapes nothing above U+007F, so the body is UTF-8 of the byte string's characters: decode as UTF-8.
  return [new TextEncoder().encode(JSON.stringify(strings))];
};
