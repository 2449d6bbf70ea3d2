/**
 * `km monitor`: one session. Listens for signals, opens the audit log, starts the server, runs
 * the relay, passes stderr through, forwards signals, stops the server in stages, and returns
 * the exit code. All process and stream access comes in through `MonitorDeps`; each step is a
 * part of its own (session_paths, policy_gate, session_log, start, pipes, observer, exit), and
 * `runSession` puts them together in the order a session goes.
 */
import type { Config } from "../config/config.ts";
import type { Diagnostics } from "../diagnostics.ts";
import { Correlator } from "../jsonrpc/correlation.ts";
import type { LoadedPolicy, PolicyLoadOptions } from "../policy/build/load_policy.ts";
import { SessionState } from "../policy/session_state.ts";
import type { Clock } from "../relay/events.ts";
import { Relay } from "../relay/relay.ts";
import { SessionStats } from "./session_stats.ts";
import { parentDir } from "../audit/paths.ts";
import { ClosedIds } from "./abandoned.ts";
import type { DashboardLinkIo } from "./approvals.ts";
import { childEnv } from "./child_env.ts";
import { endSession } from "./exit.ts";
import { sessionObserver } from "./observer.ts";
import { sessionPipes } from "./pipes.ts";
import { choosePolicy, sessionGate, watchPolicy } from "./policy_gate.ts";
import { openSessionLog } from "./session_log.ts";
import { sessionPlace } from "./session_paths.ts";
import { SignalLatch } from "./signals.ts";
import { forwardSignals, startFields, startServer } from "./start.ts";
import { pumpStderr } from "./stderr_pump.ts";
import type { SpawnOptions, Upstream } from "./upstream.ts";
import type { UiAttachOptions } from "./ui_attach.ts";

export { EXIT_AUDIT_INCOMPLETE } from "./exit.ts";
export { NO_POLICY } from "./policy_gate.ts";

/** Signals km forwards to the server. */
export const FORWARDED_SIGNALS: readonly Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

export interface MonitorDeps extends DashboardLinkIo {
  /** The client's end: km's stdin and stdout. */
  readonly stdin: ReadableStream<Uint8Array>;
  readonly stdout: WritableStream<Uint8Array>;
  /**
   * Raw bytes to km's stderr (the server's stderr passthrough); must not block. Passed on
   * unchanged, escape sequences included: it is the server's own stderr, as the server would
   * print it without km, and it is recorded line by line in the audit log.
   */
  readonly stderr: (bytes: Uint8Array) => void;
  readonly diagnostics: Diagnostics;
  readonly env: Readonly<Record<string, string>>;
  readonly os: string;
  readonly cwd: string;
  readonly clock: Clock;
  readonly newSessionId: () => string;
  readonly spawn: (options: SpawnOptions) => Upstream;
  /** Loads the policy named by `--policy` (compiling a directory with opa). */
  readonly loadPolicy: (path: string, options: PolicyLoadOptions) => Promise<LoadedPolicy>;
  /** Loads km's embedded default policy. */
  readonly loadDefaultPolicy: () => Promise<LoadedPolicy>;
  /** Watches a policy path for changes; returns the function that stops watching. */
  readonly watchPath: (path: string, onChange: () => void) => () => void;
  /** `--ui`: points at (or starts) the dashboard; the relay never waits for it. */
  readonly attachUi: (options: UiAttachOptions) => Promise<void>;
  /** Subscribes to process signals; returns the unsubscribe function. */
  readonly onSignals: (
    signals: readonly Deno.Signal[],
    handler: (signal: Deno.Signal) => void,
  ) => () => void;
}

/** Runs a monitored session of `command` and returns km's exit code. */
export async function runMonitor(
  config: Config,
  command: readonly string[],
  deps: MonitorDeps,
): Promise<number> {
  // First of all: from here on a signal can no longer end km before it has stopped the server
  // and written the session's last records (see signals.ts).
  const signals = new SignalLatch(deps.onSignals, FORWARDED_SIGNALS);
  try {
    return await runSession(config, command, deps, signals);
  } finally {
    signals.close();
  }
}

async function runSession(
  config: Config,
  command: readonly string[],
  deps: MonitorDeps,
  signals: SignalLatch,
): Promise<number> {
  const { clock, diagnostics } = deps;
  const verbose = config.verbose;
  const { sessionId, serverName, t0, redactor, logPath, dataDir } = sessionPlace(
    config,
    command,
    deps,
  );
  // Compiling a policy can take seconds: a signal meanwhile need not wait for it.
  const loaded = await Promise.race([
    choosePolicy(config, deps, dataDir),
    signals.first.then(() => undefined),
  ]);
  // Under enforce (and audit.onWriteFailure block), a request km cannot record is refused.
  const refuseUnrecorded = config.audit.onWriteFailure === "block" &&
    config.policy.mode === "enforce";
  const log = await openSessionLog({
    path: logPath,
    ctx: { sessionId, redactor, logBodies: config.logBodies },
    clock,
    diagnostics,
    refuseUnrecorded,
  });
  const { lifecycle, nextSeq } = log;

  const upstream = await startServer({
    signals,
    log,
    fields: startFields(config, { name: serverName, command, cwd: deps.cwd }, loaded),
    spawn: () => deps.spawn({ command, env: childEnv(deps.env, config.env, deps.os, sessionId) }),
    clock,
    t0,
    quiet: config.quiet,
    diagnostics,
  });
  if (typeof upstream === "number") return upstream;
  log.relaying();
  // From here on every signal is forwarded, any that came since the latch was read included.
  const shutdown = forwardSignals(signals, upstream, config.shutdown, lifecycle);
  if (config.ui.enabled) {
    void deps.attachUi({ dataDir, logDir: parentDir(logPath), port: config.ui.port });
  }
  if (verbose) {
    diagnostics.info(
      `session ${sessionId}: started ${serverName} (pid ${upstream.pid}); audit log ${logPath}`,
    );
  }

  const stats = new SessionStats();
  const correlator = new Correlator();
  const closedIds = new ClosedIds();
  const state = new SessionState(
    { id: sessionId, server: { name: serverName, command } },
    clock.now,
  );
  const { approvals, gate } = sessionGate({
    ...deps,
    loaded,
    config,
    session: sessionId,
    server: serverName,
    dataDir,
    state,
    correlator,
    // Approvals are only asked for once the relay runs, when the client's pipe exists.
    sendToClient: (bytes) => pipes.sendToClient(bytes),
    nextSeq,
    kmMessage: (event) => observer.kmMessage(event),
    // Through the observer: an approval that sends its held message on counts it as forwarded,
    // and a pins record about a list response waits for the response's own record.
    lifecycle: (event, fields) => observer.lifecycle(event, fields),
    command,
  });
  const pipes = sessionPipes({
    serverStdin: upstream.stdin,
    clientStdout: deps.stdout,
    lifecycle,
    diagnostics,
    verbose,
    clientLeft: (reason) => approvals?.clientGone(reason),
    afterStdinClosed: () => shutdown.afterStdinClosed(),
  });
  const observer = sessionObserver({
    log,
    stats,
    closedIds,
    diagnostics,
    verbose,
    approvals,
    clientEnded: pipes.clientEnded,
  });

  const relay = new Relay({
    maxMessageBytes: config.maxMessageBytes,
    clock,
    nextSeq,
    observer,
    gate,
    correlator,
    records: log.records,
    refuseUnrecorded,
  });
  const pumps = relay.run(
    { output: deps.stdin, input: pipes.toClient },
    { output: upstream.stdout, input: pipes.toServer },
  );
  const stderrDone = pumpStderr(upstream.stderr, deps.stderr, observer.stderrLine);
  const stopReloading = watchPolicy(config, gate, { ...deps, dataDir, lifecycle, diagnostics });

  return await endSession(await upstream.status, {
    upstream,
    shutdown,
    approvals,
    stopReloading,
    drained: Promise.all([pumps.server, stderrDone]),
    correlator,
    closedIds,
    toClient: pipes.toClient,
    clock,
    log,
    kmMessage: observer.kmMessage,
    signals,
    t0,
    stats,
    sessionId,
    serverName,
    loaded,
    mode: config.policy.mode,
    quiet: config.quiet,
    diagnostics,
  });
}
