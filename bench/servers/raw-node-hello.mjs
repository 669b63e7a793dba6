// The baseline: the fastest honest hello world on node:http (one writeHead, one end).
import { createServer } from 'node:http';

// `string` as the second argument sends the body as a latin-1 string instead of a Buffer: node:http then writes
// the head and the body as one buffer (what tsgi does for a small body), a few percent faster.
const body = process.argv[3] === 'string' ? 'Hello, World!\n' : Buffer.from('Hello, World!\n');
const port = Number(process.argv[2] ?? 8000);
createServer((_req, res) => {
  res.writeHead(200, [
    'Content-Type',
    'text/plain; charset=utf-8',
    'Content-Length',
    String(body.length),
    'Server',
    'raw',
  ]);
  res.end(body, 'latin1');
}).listen(port, '127.0.0.1').keepAliveTimeout = 2000;
process.on('SIGTERM', () => process.exit(0));
