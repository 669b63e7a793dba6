// Gunicorn's setting names, as its Python config files spell them (`workers = 4`, `accesslog = "-"`), and the
// tsgi setting each one sets. A config file written for Gunicorn reads the same under tsgi; what tsgi has no
// equivalent for is named in a warning, never silently dropped (docs/settings.md, "Python config files").

import type { SettingName } from './registry.js';

/** Gunicorn's name → tsgi's setting. */
export const GUNICORN_SETTINGS: Readonly<Record<string, SettingName>> = {
  wsgi_app: 'app',
  bind: 'bind',
  backlog: 'backlog',
  keepalive: 'keepAlive',
  root_path: 'rootPath',
  forwarded_allow_ips: 'forwardedAllowIps',
  secure_scheme_headers: 'secureSchemeHeaders',
  proxy_protocol: 'proxyProtocol',
  proxy_allow_ips: 'proxyAllowFrom',
  certfile: 'certfile',
  keyfile: 'keyfile',
  ca_certs: 'caCerts',
  cert_reqs: 'certReqs',
  ciphers: 'ciphers',
  workers: 'workers',
  worker_class: 'workerClass',
  worker_connections: 'workerConnections',
  threads: 'threads',
  timeout: 'timeout',
  graceful_timeout: 'gracefulTimeout',
  max_requests: 'maxRequests',
  max_requests_jitter: 'maxRequestsJitter',
  reload: 'reload',
  reload_extra_files: 'reloadExtraFile',
  accesslog: 'accessLogfile',
  access_log_format: 'accessLogformat',
  errorlog: 'errorLogfile',
  loglevel: 'logLevel',
  capture_output: 'captureOutput',
  statsd_host: 'statsdHost',
  statsd_prefix: 'statsdPrefix',
  dogstatsd_tags: 'dogstatsdTags',
  syslog: 'logSyslog',
  syslog_addr: 'logSyslogTo',
  syslog_prefix: 'logSyslogPrefix',
  syslog_facility: 'logSyslogFacility',
  disable_redirect_access_to_syslog: 'disableRedirectAccessToSyslog',
  limit_request_line: 'limitRequestLine',
  limit_request_fields: 'limitRequestFields',
  limit_request_field_size: 'limitRequestFieldSize',
  pythonpath: 'pythonpath',
  chdir: 'chdir',
  raw_env: 'env',
  pidfile: 'pid',
  user: 'user',
  group: 'group',
  initgroups: 'initgroups',
  umask: 'umask',
  proc_name: 'name',
  daemon: 'daemon',
  enable_stdio_inheritance: 'enableStdioInheritance',
  preload_app: 'preload',
  paste: 'paste',
  raw_paste_global_conf: 'pasteGlobal',
  check_config: 'checkConfig',
  print_config: 'printConfig',
};

/**
 * Gunicorn's server hooks that a Python app's workers run (python/tsgi_worker/hooks.py): each Python worker is a new
 * process, so post_fork runs where Gunicorn runs it, before the app is imported.
 */
export const GUNICORN_WORKER_HOOKS: ReadonlySet<string> = new Set([
  'post_fork',
  'post_worker_init',
  'pre_request',
  'post_request',
  'worker_exit',
]);

/** Gunicorn's other server hooks: its arbiter calls them (and worker_int/abort on signals); tsgi does not. */
export const GUNICORN_ARBITER_HOOKS: ReadonlySet<string> = new Set([
  'on_starting',
  'on_reload',
  'when_ready',
  'pre_fork',
  'worker_int',
  'worker_abort',
  'pre_exec',
  'child_exit',
  'nworkers_changed',
  'on_exit',
  'ssl_context',
  'on_dirty_starting',
  'dirty_post_fork',
  'dirty_worker_init',
  'dirty_worker_exit',
]);

/**
 * What tsgi does with one of Gunicorn's other settings: `none` — accepted, with nothing lost (the log says why it
 * has no effect); `ignored` — accepted, but what it asks for does not happen (a warning says so); `refused` — a
 * usage error, because running without it would be wrong (an unauthenticated client, a port shared unsafely).
 */
export type ForeignEffect = 'none' | 'ignored' | 'refused';

export interface ForeignSetting {
  /** Gunicorn's command-line flags; none for a config-file-only setting. */
  readonly flags?: readonly string[];
  /** What follows the flag: a value, nothing (a switch), or an optional value (`--proxy-protocol [v1]`). */
  readonly takes?: 'value' | 'switch' | 'optional';
  /** Gunicorn's default, when a config file may well spell it out (`cert_reqs = 0`): then it asks for nothing. */
  readonly default?: string | number | boolean;
  readonly effect: ForeignEffect;
  /** The reason, completing "--flag has no effect: …" / "… is ignored: …" / "… is not supported: …". */
  readonly why: string;
}

const PARSER_RULES = "tsgi's HTTP parser (Node's llhttp) keeps its own strict rules";
const LOGGING =
  "tsgi's logs are set by --error-logfile, --access-logfile, --access-logformat and --log-level";
const ASGI = "it applies to Gunicorn's ASGI workers only";
const HTTP2 = 'tsgi serves HTTP/1.1 and 1.0 only';
const DIRTY = "Gunicorn's dirty arbiters have no tsgi equivalent";
const CONTROL = 'tsgi has no control socket; signals control it (docs/lifecycle.md)';

/** Gunicorn's other settings (release 23 to 27), by name, and what tsgi does when one is given. */
export const GUNICORN_FOREIGN: Readonly<Record<string, ForeignSetting>> = {
  asgi_disconnect_grace_period: {
    flags: ['--asgi-disconnect-grace-period'],
    takes: 'value',
    effect: 'none',
    why: ASGI,
  },
  asgi_lifespan: { default: 'auto', flags: ['--asgi-lifespan'], takes: 'value', effect: 'none', why: ASGI },
  asgi_loop: { default: 'auto', flags: ['--asgi-loop'], takes: 'value', effect: 'none', why: ASGI },
  websocket_max_message_size: {
    flags: ['--websocket-max-message-size'],
    takes: 'value',
    effect: 'none',
    why: ASGI,
  },
  worker_tmp_dir: {
    flags: ['--worker-tmp-dir'],
    takes: 'value',
    effect: 'none',
    why: "tsgi's workers report that they are alive over IPC, not through a file",
  },
  sendfile: {
    flags: ['--no-sendfile'],
    takes: 'switch',
    effect: 'none',
    why: 'tsgi streams wsgi.file_wrapper files itself and never uses sendfile(2)',
  },
  reload_engine: {
    default: 'auto',
    flags: ['--reload-engine'],
    takes: 'value',
    effect: 'none',
    why: "--reload watches files with the operating system's own notifications",
  },
  control_socket: { flags: ['--control-socket'], takes: 'value', effect: 'none', why: CONTROL },
  control_socket_mode: { flags: ['--control-socket-mode'], takes: 'value', effect: 'none', why: CONTROL },
  control_socket_disable: { flags: ['--no-control-socket'], takes: 'switch', effect: 'none', why: CONTROL },
  do_handshake_on_connect: {
    flags: ['--do-handshake-on-connect'],
    takes: 'switch',
    effect: 'none',
    why: "Node's TLS completes the handshake before the request is read",
  },
  suppress_ragged_eofs: {
    default: true,
    flags: ['--suppress-ragged-eofs'],
    takes: 'switch',
    effect: 'none',
    why: 'a TLS connection closed without close_notify ends the connection quietly in tsgi',
  },
  ssl_version: {
    flags: ['--ssl-version'],
    takes: 'value',
    effect: 'none',
    why: 'Node negotiates TLS 1.2 or 1.3 (Gunicorn deprecated this setting too)',
  },
  tmp_upload_dir: {
    effect: 'none',
    why: 'tsgi buffers large request bodies in the system temporary directory',
  },
  default_proc_name: { effect: 'none', why: 'tsgi names its processes after the APP, or --name' },
  uwsgi_allow_ips: {
    default: '127.0.0.1,::1',
    flags: ['--uwsgi-allow-from'],
    takes: 'value',
    effect: 'none',
    why: 'tsgi speaks HTTP only',
  },
  http_protocols: {
    default: 'h1',
    flags: ['--http-protocols'],
    takes: 'value',
    effect: 'ignored',
    why: HTTP2,
  },
  http2_cleartext: {
    default: 'off',
    flags: ['--http2-cleartext'],
    takes: 'value',
    effect: 'ignored',
    why: HTTP2,
  },
  http2_initial_window_size: {
    flags: ['--http2-initial-window-size'],
    takes: 'value',
    effect: 'none',
    why: HTTP2,
  },
  http2_max_concurrent_streams: {
    flags: ['--http2-max-concurrent-streams'],
    takes: 'value',
    effect: 'none',
    why: HTTP2,
  },
  http2_max_frame_size: { flags: ['--http2-max-frame-size'], takes: 'value', effect: 'none', why: HTTP2 },
  http2_max_header_list_size: {
    flags: ['--http2-max-header-list-size'],
    takes: 'value',
    effect: 'none',
    why: HTTP2,
  },
  logconfig: { flags: ['--log-config'], takes: 'value', effect: 'ignored', why: LOGGING },
  logconfig_json: { flags: ['--log-config-json'], takes: 'value', effect: 'ignored', why: LOGGING },
  logconfig_dict: { effect: 'ignored', why: LOGGING },
  logger_class: {
    default: 'gunicorn.glogging.Logger',
    flags: ['--logger-class'],
    takes: 'value',
    effect: 'ignored',
    why: LOGGING,
  },
  enable_backlog_metric: {
    flags: ['--enable-backlog-metric'],
    takes: 'switch',
    effect: 'ignored',
    why: 'tsgi sends no backlog metric to statsd',
  },
  forwarder_headers: {
    default: 'SCRIPT_NAME,PATH_INFO',
    flags: ['--forwarder-headers'],
    takes: 'value',
    effect: 'ignored',
    why: 'tsgi takes SCRIPT_NAME from --root-path (or $SCRIPT_NAME) only, never from a request header',
  },
  header_map: {
    default: 'drop',
    flags: ['--header-map'],
    takes: 'value',
    effect: 'ignored',
    why: "tsgi always drops request headers whose names contain '_' (Gunicorn's default, drop)",
  },
  permit_obsolete_folding: {
    flags: ['--permit-obsolete-folding'],
    takes: 'switch',
    effect: 'ignored',
    why: PARSER_RULES,
  },
  permit_unconventional_http_method: {
    flags: ['--permit-unconventional-http-method'],
    takes: 'switch',
    effect: 'ignored',
    why: PARSER_RULES,
  },
  permit_unconventional_http_version: {
    flags: ['--permit-unconventional-http-version'],
    takes: 'switch',
    effect: 'ignored',
    why: PARSER_RULES,
  },
  casefold_http_method: {
    flags: ['--casefold-http-method'],
    takes: 'switch',
    effect: 'ignored',
    why: PARSER_RULES,
  },
  strip_header_spaces: {
    flags: ['--strip-header-spaces'],
    takes: 'switch',
    effect: 'ignored',
    why: PARSER_RULES,
  },
  http_parser: {
    default: 'auto',
    flags: ['--http-parser'],
    takes: 'value',
    effect: 'ignored',
    why: PARSER_RULES,
  },
  dirty_apps: { flags: ['--dirty-app'], takes: 'value', effect: 'refused', why: DIRTY },
  dirty_workers: { flags: ['--dirty-workers'], takes: 'value', effect: 'refused', why: DIRTY },
  dirty_timeout: { flags: ['--dirty-timeout'], takes: 'value', effect: 'none', why: DIRTY },
  dirty_threads: { flags: ['--dirty-threads'], takes: 'value', effect: 'none', why: DIRTY },
  dirty_graceful_timeout: { flags: ['--dirty-graceful-timeout'], takes: 'value', effect: 'none', why: DIRTY },
  protocol: {
    default: 'http',
    flags: ['--protocol'],
    takes: 'value',
    effect: 'refused',
    why: 'tsgi speaks HTTP only (put it behind nginx with proxy_pass, not uwsgi_pass)',
  },
  spew: {
    flags: ['--spew'],
    takes: 'switch',
    effect: 'refused',
    why: "it traces Gunicorn's own Python code",
  },
  reuse_port: {
    flags: ['--reuse-port'],
    takes: 'switch',
    effect: 'ignored',
    why:
      "Node 20 cannot set SO_REUSEPORT; tsgi's workers share the listening socket without it, and a second server " +
      "on the same port fails with 'address in use'",
  },
};

/** The Gunicorn setting a command-line flag belongs to, when tsgi has no setting of its own for it. */
export function foreignFlag(flag: string): { name: string; setting: ForeignSetting } | undefined {
  for (const [name, setting] of Object.entries(GUNICORN_FOREIGN)) {
    if (setting.flags?.includes(flag)) return { name, setting };
  }
  return undefined;
}
