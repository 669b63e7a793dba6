// What the supervisor needs to run, independent of where the values came from (cli.ts maps the settings here).

import type { Level } from '../log.js';
import type { PythonHooksConfig } from '../runtimes/python/index.js';
import type { FrontEndSlot } from './front-ends.js';
import { targetKind } from './target.js';

export interface SupervisorOptions {
  app: string;
  bind: readonly string[];
  /** --certfile, --keyfile: serve HTTPS (null: plain HTTP). */
  certfile: string | null;
  keyfile: string | null;
  /** --ca-certs, --cert-reqs (0 none, 1 optional, 2 required), --ciphers: client certificates and ciphers. */
  caCerts: string | null;
  certReqs: number;
  ciphers: string | null;
  /** The listen backlog of every bound socket (Gunicorn's --backlog). */
  backlog: number;
  workers: number;
  /** Gunicorn's -k: sync and gthread are the same pool here; gevent runs a Python worker's requests in greenlets. */
  workerClass: 'sync' | 'gthread' | 'gevent';
  /** With gevent: the most requests a Python worker runs at once. */
  workerConnections: number;
  threads: number;
  /** Seconds; 0 disables the worker timeout. */
  timeout: number;
  gracefulTimeout: number;
  maxRequests: number;
  maxRequestsJitter: number;
  reload: boolean;
  /** --reload-extra-file: more files whose change restarts the workers under --reload. */
  reloadExtraFile: readonly string[];
  keepAlive: number;
  rootPath: string;
  /** Peers trusted to set the scheme with X-Forwarded-Proto and the like (`*` = any). */
  forwardedAllowIps: readonly string[];
  /** Gunicorn's secure_scheme_headers: header → the value meaning https, from a trusted proxy. */
  secureSchemeHeaders: Readonly<Record<string, string>>;
  /** --proxy-protocol, --proxy-allow-from: a PROXY header before the first request names the client. */
  proxyProtocol: 'off' | 'v1' | 'v2' | 'auto';
  proxyAllowFrom: readonly string[];
  accessLogfile: string | null;
  accessLogformat: string;
  errorLogfile: string;
  logLevel: Level;
  /** --statsd-host, --statsd-prefix, --dogstatsd-tags: Gunicorn's metrics over UDP (statsd.ts); null host = none. */
  statsdHost: string | null;
  statsdPrefix: string;
  dogstatsdTags: string;
  /** --log-syslog and its address, prefix and facility; --disable-redirect-access-to-syslog (syslog.ts). */
  logSyslog: boolean;
  logSyslogTo: string;
  logSyslogPrefix: string | null;
  logSyslogFacility: string;
  disableRedirectAccessToSyslog: boolean;
  /** --capture-output: a Node app's worker output goes to the error log (a Python worker's always does). */
  captureOutput: boolean;
  limitRequestLine: number;
  limitRequestFields: number;
  limitRequestFieldSize: number;
  limitRequestBody: number;
  python: string | null;
  pythonpath: readonly string[];
  /** --front-ends: a Python app's Node front ends (0: one per FRONT_END_SHARE Python processes, front-ends.ts). */
  frontEnds: number;
  /** Set by the arbiter in each front end's options: which one it is, of how many (its share of --workers). */
  frontEnd?: FrontEndSlot;
  chdir: string | null;
  /** --pid: where the arbiter writes its pid (removed on exit); null for none. */
  pid: string | null;
  /** --user, --group: names or ids as given; the arbiter resolves them (credentials.ts) before workers start. */
  user: string | null;
  group: string | null;
  /** --initgroups: the user's supplementary groups too (needs --user). */
  initgroups: boolean;
  /** Numeric ids for the workers to switch to, filled in by the arbiter. */
  uid?: number | null;
  gid?: number | null;
  /** --umask: the arbiter's (and so its children's) file-mode mask; null leaves it. */
  umask: number | null;
  /** --name: process titles `tsgi: master [NAME]` and `tsgi: worker [NAME]`; null leaves the command lines. */
  name: string | null;
  /** -D/--daemon, -R: detach first (daemon.ts; the CLI does it), keeping stdio with -R. */
  daemon: boolean;
  enableStdioInheritance: boolean;
  /** --check-config: check and exit instead of serving (check-config.ts). */
  checkConfig: boolean;
  /** --preload: a Python app is imported once, by a zygote that forks the workers (Python apps only). */
  preload: boolean;
  /** --paste: the PasteDeploy file whose app is served; `app` is then `config:/ABSOLUTE/FILE[#NAME]`. */
  paste: string | null;
  /** --paste-global: that file's global_conf. */
  pasteGlobal: Array<[string, string]>;
  env: ReadonlyArray<readonly [string, string]>;
  /** The gunicorn.conf.py (-c) whose worker hooks a Python app's workers run; null without one. */
  pythonHooks?: PythonHooksConfig | null;
}

/** Travels to each worker process in its environment, as JSON. */
export const WORKER_OPTIONS_ENV = 'TSGI_WORKER_OPTIONS';

/**
 * --capture-output to a file, for a Node app: its workers' stdout and stderr are pipes that the arbiter copies into
 * the error log it reopens on SIGUSR1 (with `-` they are the arbiter's stderr; a Python app's front end prints to
 * tsgi's own output, and logs its Python workers' output line by line). The arbiter and the worker both ask.
 */
export function capturesThroughPipes(
  options: Pick<SupervisorOptions, 'captureOutput' | 'errorLogfile' | 'app'>,
): boolean {
  return options.captureOutput && options.errorLogfile !== '-' && targetKind(options.app) !== 'python';
}
