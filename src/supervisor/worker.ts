// One worker process: load the app once, serve it on every bind (sharing the arbiter's listening sockets),
// heartbeat, retire after --max-requests, and stop gracefully on 'stop', SIGTERM or SIGINT.

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { utf8ToByteString } from '../gateway/index.js';
import { AccessLog } from '../http/access-log.js';
import { createHttpServer } from '../http/server.js';
import { errorMessage, type LogStream, logTimestamp, openLogStream } from '../log.js';
import { type Bind, formatBind, parseBind } from './binds.js';
import { switchCredentials } from './credentials.js';
import { APP_LOAD_ERROR, EXIT_OK, WORKER_BOOT_ERROR } from './exit-codes.js';
import { failApp } from './fail-app.js';
import { GracefulServers } from './graceful-close.js';
import { startHeartbeat } from './heartbeat.js';
import { listenOnInheritedSocket, unixSocketPath } from './inherited-socket.js';
import { IDLE_CLOSE_MS, type LoadedApp, loadTarget } from './load-target.js';
import { isStopMessage, type WorkerMessage } from './messages.js';
import { capturesThroughPipes, type SupervisorOptions } from './options.js';
import { processLog } from './process-log.js';
import { requestMetrics } from './statsd.js';
import { accessToSyslog } from './syslog.js';
import { readTlsFiles, type TlsFiles } from './tls-files.js';

function send(message: WorkerMessage): void {
  if (process.connected) process.send?.(message);
}

function listen(server: Server, bind: Bind, backlog: number, scheme: 'http' | 'https'): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo | string | null;
      if (typeof address === 'string') resolve(`unix:${address}`);
      else if (address)
        resolve(formatBind({ kind: 'tcp', host: address.address, port: address.port }, scheme));
      else {
        // An inherited unix socket (fd://N): node:net knows no name for it.
        const path = bind.kind === 'fd' ? unixSocketPath(bind.fd) : undefined;
        resolve(path === undefined ? formatBind(bind) : `unix:${path}`);
      }
    });
    // In a cluster worker the arbiter owns the listening socket and listens with the backlog given here.
    if (bind.kind === 'unix') server.listen({ path: bind.path, backlog });
    else if (bind.kind === 'fd') listenOnInheritedSocket(server, bind.fd);
    else server.listen({ host: bind.host, port: bind.port, backlog });
  });
}

async function flushAndExit(code: number, streams: LogStream[]): Promise<never> {
  await Promise.all(streams.map((s) => new Promise<void>((resolve) => s.end(resolve))));
  process.exit(code);
}

/**
 * --capture-output to a file: stdout and stderr are pipes to the arbiter (arbiter.ts). libuv writes to a pipe only
 * what fits and queues the rest, which is lost if the process exits first (a long trace printed on the way out):
 * blocking writes, as writes to the file itself would be, lose nothing.
 */
function blockingPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    (stream as { _handle?: { setBlocking?: (blocking: boolean) => void } })._handle?.setBlocking?.(true);
  }
}

export async function runWorker(options: SupervisorOptions): Promise<void> {
  if (capturesThroughPipes(options)) blockingPipes();
  let errorStream: LogStream;
  let accessStream: LogStream | null;
  try {
    // Log files are opened first, as the user tsgi started as; then the worker leaves root (--user/--group).
    errorStream = openLogStream(options.errorLogfile, process.stderr);
    accessStream = options.accessLogfile ? openLogStream(options.accessLogfile, process.stdout) : null;
  } catch (error) {
    // The arbiter opened them a moment ago: something changed since (a directory removed). It halts, not respawns.
    process.stderr.write(`[${logTimestamp()}] [${process.pid}] [ERROR] ${errorMessage(error)}\n`);
    process.exit(WORKER_BOOT_ERROR);
  }
  const { statsd, logger, accessSyslog } = processLog(options, errorStream);
  const streams = [errorStream];
  logger.info(`Booting worker with pid: ${process.pid}`);
  if (options.name !== null) process.title = `tsgi: worker [${options.name}]`;
  const stopHeartbeat = startHeartbeat(options.timeout, send);

  let accessLog: AccessLog | null = null;
  if (accessStream) streams.push(accessStream);
  // Gunicorn's USR1: reopen the log files (logrotate moved them). Installed first thing: a listener also keeps
  // Node from opening its debugger port on SIGUSR1.
  process.on('SIGUSR1', () => {
    for (const stream of streams) stream.reopen();
  });
  process.on('SIGUSR2', () => {}); // sent to the whole group, it is the arbiter's to answer
  // With --log-syslog, access lines go to syslog too, even without --access-logfile (as in Gunicorn).
  const accessSink = accessSyslog ? accessToSyslog(accessStream, accessSyslog) : accessStream;
  if (accessSink) accessLog = new AccessLog(accessSink, options.accessLogformat);
  // The TLS files too (a key is often readable by root only); then leave root.
  let tls: TlsFiles | undefined;
  try {
    tls = readTlsFiles(options);
    switchCredentials({ uid: options.uid ?? null, gid: options.gid ?? null, initgroups: options.initgroups });
  } catch (error) {
    logger.error(errorMessage(error));
    return flushAndExit(APP_LOAD_ERROR, streams);
  }

  let loaded: LoadedApp;
  try {
    loaded = await loadTarget(options, logger);
  } catch (error) {
    if (!options.reload) {
      // An import failure carries the app's own error: its stack points at the line that threw.
      if (error instanceof Error && error.cause instanceof Error)
        logger.exception(error.message, error.cause);
      else logger.error(errorMessage(error));
      return flushAndExit(APP_LOAD_ERROR, streams);
    }
    logger.exception('the app failed to load; serving the error until a file changes', error);
    loaded = {
      app: failApp(errorMessage(error)),
      multiprocess: false,
      multithread: false,
      inProcess: false,
      close: async () => {},
    };
  }

  const limit =
    options.maxRequests > 0
      ? options.maxRequests + Math.floor(Math.random() * (options.maxRequestsJitter + 1))
      : 0;
  let served = 0;
  let retiring = false;
  let graceful: GracefulServers | undefined;
  /** Ask the arbiter for a replacement; this worker serves on (every response closing its connection) until then. */
  const retire = () => {
    retiring = true;
    graceful?.endKeepAlive();
    send({ tsgi: 'retire', served });
  };
  const onRequestDone = () => {
    served++;
    if (limit > 0 && loaded.inProcess && served >= limit && !retiring) {
      logger.info(`Autorestarting worker after ${served} requests (--max-requests ${options.maxRequests}).`);
      retire();
    }
  };
  // An error of the app's outside any request (a timer's, a promise nobody awaited): Node would end the worker at
  // once, cutting every request it holds, with the cause on stderr only. It goes to the error log, and the worker is
  // replaced as after --max-requests: its requests finish.
  let ready = false;
  const onStrayError = (what: string) => (error: unknown) => {
    if (!ready) {
      // While it starts, an app that fails so fails every worker: a load failure (the arbiter halts), not a
      // replacement that would fail the same way, and the next.
      logger.exception(`${what} in the app while this worker was starting`, error);
      void flushAndExit(APP_LOAD_ERROR, streams);
      return;
    }
    logger.exception(`${what} in the app, outside any request; replacing this worker`, error);
    if (!retiring) retire();
  };
  process.on('uncaughtException', onStrayError('uncaught exception'));
  process.on('unhandledRejection', onStrayError('unhandled promise rejection'));

  const servers = options.bind.map(() =>
    createHttpServer(loaded.app, {
      logger,
      accessLog,
      keepAlive: options.keepAlive,
      // The setting is text; SCRIPT_NAME is a byte string, matched against the percent-decoded path bytes (S3, S4).
      scriptName: utf8ToByteString(options.rootPath),
      forwardedAllowIps: options.forwardedAllowIps,
      secureSchemeHeaders: options.secureSchemeHeaders,
      proxyProtocol: { mode: options.proxyProtocol, allowFrom: options.proxyAllowFrom },
      multiprocess: loaded.multiprocess,
      multithread: loaded.multithread,
      limitRequestLine: options.limitRequestLine, // 0 = unlimited, as in Gunicorn
      limitRequestFields: options.limitRequestFields,
      limitRequestFieldSize: options.limitRequestFieldSize,
      limitRequestBody: options.limitRequestBody,
      tls,
      metrics: statsd ? requestMetrics(statsd) : null,
      onRequestDone,
      unansweredAfter: loaded.inProcess ? options.timeout : 0,
    }),
  );
  const drain = new GracefulServers(servers);
  graceful = drain;

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`Worker exiting (pid: ${process.pid}): ${why}`);
    // One deadline for both steps: the arbiter kills a worker that is still here past --graceful-timeout.
    const deadline = Date.now() + options.gracefulTimeout * 1000;
    await drain.close(options.gracefulTimeout * 1000, async () => {
      logger.warning(`--graceful-timeout ${options.gracefulTimeout}s passed; cut the remaining connections`);
      await loaded.cut?.();
    });
    await loaded.close(Math.max(0, deadline - Date.now()));
    stopHeartbeat();
    await flushAndExit(EXIT_OK, streams);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // A hang-up of the whole process group reaches the arbiter too, which restarts the workers gracefully.
  process.on('SIGHUP', () => {});
  process.on('message', (message) => {
    if (isStopMessage(message)) void stop('told to stop by the arbiter');
  });

  try {
    const addresses = await Promise.all(
      servers.map((server, i) =>
        listen(server, parseBind(options.bind[i]), options.backlog, tls ? 'https' : 'http'),
      ),
    );
    send({ tsgi: 'ready', addresses });
    ready = true;
  } catch (error) {
    logger.error(
      `cannot listen: ${errorMessage(error)}; check that no other server uses the address and that you may bind it`,
    );
    await loaded.close(IDLE_CLOSE_MS);
    return flushAndExit(WORKER_BOOT_ERROR, streams);
  }
}
