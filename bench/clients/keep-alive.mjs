// A fixed amount of load: N keep-alive GET requests over C connections, each connection sending its next request
// when the previous response is complete (Content-Length framing). Exits 0 once all N responses arrived.
//   node bench/clients/keep-alive.mjs PORT N [C]
import { connect } from 'node:net';

const port = Number(process.argv[2]);
const total = Number(process.argv[3]);
const connections = Number(process.argv[4] ?? 16);
const request = Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
let sent = 0;
let done = 0;

for (let c = 0; c < connections; c++) {
  const socket = connect(port, '127.0.0.1');
  let pending = Buffer.alloc(0);
  const next = () => {
    if (sent < total) {
      sent++;
      socket.write(request);
    } else socket.end();
  };
  socket.on('connect', next);
  socket.on('error', (error) => {
    console.error(`keep-alive client: ${error.message}`);
    process.exit(1);
  });
  socket.on('data', (data) => {
    pending = Buffer.concat([pending, data]);
    for (;;) {
      const headEnd = pending.indexOf('\r\n\r\n');
      if (headEnd === -1) return;
      const length = /\r\ncontent-length: *(\d+)/i.exec(pending.subarray(0, headEnd).toString('latin1'));
      if (!length) {
        console.error('keep-alive client: a response without Content-Length');
        process.exit(1);
      }
      const end = headEnd + 4 + Number(length[1]);
      if (pending.length < end) return;
      pending = pending.subarray(end);
      if (++done === total) process.exit(0);
      next();
    }
  });
}
