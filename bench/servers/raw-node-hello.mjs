// The baseline: the fastest honest hello world on node:http (one writeHead, one end).
import { createServer } from 'node:http';

const body = Buffer.from('Hello, World!\n');
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
  res.end(body);
}).listen(port, '127.0.0.1').keepAliveTimeout = 2000;
process.on('SIGTERM', () => process.exit(0));
