/**
 * `km monitor`: one session. Listens for signals, opens the audit log, starts the server, runs
 * the relay, passes stderr through, forwards signals, stops the server in stages, and returns
 * the exit code. All process and stream access comes in through `MonitorDeps`.
 */
import { atMost } from "../at_most.ts";
import { concatBytes } from "../concat_bytes.ts";
import { AuditLog } from "../audit/audit_log.ts";
import { defaultDataDir, parentDir, serverNameOf, sessionLogPath } from "../audit/paths.ts";
import type { UiAttachOptions } from "./ui_attach.ts";
import { type DashboardLinkIo, type SessionApprovals, sessionApprovals } from "./approvals.ts";
import {
  kmMessageLine,
  type LifecycleEvent,
  lifecycleRecord,
  messageLine,
  oversizedRecord,
  type RecordContext,
  stderrRecord,
} from "../audit/record.ts";
import { redactorFor } from "../audit/redact.ts";
import type { Config } from "../config/config.ts";
import { type Diagnostics, terminalSafe } from "../diagnostics.ts";
import { JsonRpcError, KmError, RPC_CODES } from "../errors.ts";
import type { Clock, KmMessageEvent, MessageEvent, OversizedEvent, Side } from "../relay/events.ts";
import { kmMessageEvent } from "../relay/km_message.ts";
import { Enforcer } from "../policy/enforcer.ts";
import { Reloader } from "../policy/reloader.ts";
import type { LoadedPolicy, LoadOptions } from "../policy/load_policy.ts";
import { SessionState } from "../policy/session_state.ts";
import { Relay } from "../relay/relay.ts";
import { type Correlation, Correlator, type PendingRequest } from "../jsonrpc/correlation.ts";
import { type ByteSink, streamSink } from "../relay/sink.ts";
import { SessionStats } from "../relay/stats.ts";
import { VERSION } from "../version.ts";
import { ClosedIds, sortAbandoned } from "./abandoned.ts";
import { childEnv } from "./child_env.ts";
import { formatBytes, summary, verboseLine } from "./report.ts";
import { Shutdown } from "./shutdown.ts";
import { signalExitCode, SignalLatch } from "./signals.ts";
import { pumpStderr } from "./stderr_pump.ts";
import type { ExitStatus, SpawnOptions, Upstream } from "./upstream.ts";

/** `--policy none` (or `--no-policy`): relay without evaluating any policy. */
export const NO_POLICY = "none";

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
  readonly loadPolicy: (path: string, options: LoadOptions) => Promise<LoadedPolicy>;
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

/**
 * The longest km waits for the server's pipes to end after it exits. Only a process that left
 * the server's process group yet holds its stdout or stderr open makes this wait matter.
 */
const DRAIN_AFTER_EXIT_MS = 5000;
/** How long to wait for the client to take the last bytes before giving up on it. */
const FLUSH_CLIENT_MS = 2000;

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
  const sessionId = config.sessionId ?? deps.newSessionId();
  const serverName = config.name ?? serverNameOf(command);
  const startedAt = clock.epochMs();
  const t0 = clock.now();
  const redactor = redactorFor(config.redaction, config.logMaxStringChars);
  if (typeof redactor === "string") throw new KmError("CONFIG_INVALID", redactor);
  const logPath = sessionLogPath(config, (name) => deps.env[name], deps.os, {
    startedAt,
    serverName,
    sessionId,
  });
  if (!logPath) {
    throw new KmError(
      "LOG_UNWRITABLE",
      "Cannot choose a place for the audit log: neither HOME nor XDG_DATA_HOME is set",
      "pass --log-dir DIR or --log-file FILE, or set KM_DATA_DIR (MCP clients often start km with a minimal environment)",
    );
  }
  const dataDir = config.dataDir ?? defaultDataDir((name) => deps.env[name], deps.os);
  // Compiling a policy can take seconds: a signal meanwhile need not wait for it.
  const loaded = await Promise.race([
    choosePolicy(config, deps, dataDir),
    signals.first.then(() => undefined),
  ]);
  // Under enforce (and audit.onWriteFailure block), a request km cannot record is refused.
  const refuseUnrecorded = config.audit.onWriteFailure === "block" &&
    config.policy.mode === "enforce";
  let relaying = false;
  const audit = await AuditLog.open(logPath, (error) => {
    // Before the relay starts, a failure ends the session instead (see below).
    if (!relaying) return;
    diagnostics.error(
      `writing the audit log "${logPath}" failed: ${(error as Error).message}; ${
        refuseUnrecorded
          ? "km refuses requests until their records can be written (audit.onWriteFailure: block)"
          : "messages are relayed unrecorded (audit.onWriteFailure: continue)"
      }`,
    );
  });

  const ctx: RecordContext = { sessionId, redactor, logBodies: config.logBodies };
  let seq = 0;
  const nextSeq = () => ++seq;
  const lifecycle = (event: LifecycleEvent, fields: Record<string, unknown> = {}) => {
    const s = nextSeq();
    const at = clock.epochMs();
    audit.append(lifecycleRecord(ctx, s, at, event, fields));
  };
  const startFields = {
    km: { version: VERSION, pid: Deno.pid },
    server: { name: serverName, command: [...command], cwd: deps.cwd },
    settings: {
      log_bodies: config.logBodies,
      max_message_bytes: config.maxMessageBytes,
      env_inherit: config.env.inherit,
    },
    ...(loaded
      ? { policy: { source: loaded.source, revision: loaded.revision, mode: config.policy.mode } }
      : {}),
    ...(config.origin ? { config: config.origin } : {}),
  };

  const early = signals.received;
  if (early) {
    // Told to stop before anything was started: start nothing, but leave the record.
    const code = signalExitCode(early);
    lifecycle("start", startFields);
    lifecycle("signal", { signal: early, forwarded: false });
    lifecycle("shutdown", {
      exit_code: code,
      reason: `km received ${early} before it started the server`,
      duration_ms: Math.round(clock.now() - t0),
      messages: { client_to_server: 0, server_to_client: 0 },
    });
    await audit.close();
    if (!config.quiet) {
      diagnostics.info(`received ${early} before starting ${serverName}; it was not started`);
    }
    return code;
  }

  let upstream: Upstream;
  try {
    upstream = deps.spawn({ command, env: childEnv(deps.env, config.env, deps.os, sessionId) });
  } catch (error) {
    lifecycle("start", startFields);
    lifecycle("spawn_failed", { error: (error as Error).message });
    await audit.close();
    throw error;
  }
  lifecycle("start", { ...startFields, server: { ...startFields.server, pid: upstream.pid } });
  if (!(await audit.flush())) {
    // The log cannot be written at all (a full disk): stop the server before it gets a byte.
    upstream.signal("SIGKILL");
    await upstream.status;
    await audit.close();
    throw new KmError(
      "LOG_UNWRITABLE",
      `Cannot write the audit log "${logPath}": ${audit.health.failing}`,
      "free space on its disk or pass --log-dir DIR naming a writable place: km relays " +
        "nothing it cannot record",
    );
  }
  relaying = true;
  // From here on every signal is forwarded, any that came since `early` was read included.
  const shutdown = new Shutdown(
    upstream,
    config.shutdown,
    (step, signal, delivered) => lifecycle(step, { signal, delivered }),
  );
  let signalled = false;
  signals.route((signal) => {
    const delivered = upstream.signal(signal);
    lifecycle("signal", { signal, forwarded: delivered });
    if (signal === "SIGHUP") return;
    if (signalled) shutdown.kill();
    else shutdown.forwarded();
    signalled = true;
  });
  if (config.ui.enabled) {
    void deps.attachUi({ dataDir, logDir: parentDir(logPath), port: config.ui.port });
  }
  if (config.verbose) {
    diagnostics.info(
      `session ${sessionId}: started ${serverName} (pid ${upstream.pid}); audit log ${logPath}`,
    );
  }

  const stats = new SessionStats();
  const correlator = new Correlator();
  const state = new SessionState(
    { id: sessionId, server: { name: serverName, command } },
    clock.now,
  );
  // Assigned below, once the client's sink exists: approvals are only asked for from then on.
  let toClientWrite: (bytes: Uint8Array) => boolean = () => false;
  const approvals: SessionApprovals | undefined = loaded && config.policy.mode === "enforce"
    ? sessionApprovals({
      config,
      session: sessionId,
      server: serverName,
      dataDir,
      clock,
      state,
      correlator,
      sendToClient: (bytes) => toClientWrite(bytes),
      recordToClient: (bytes, pending, forwarded) =>
        onKmMessage(kmMessageEvent({
          direction: "server_to_client",
          seq: nextSeq(),
          at: clock.epochMs(),
          bytes,
          causeSeq: pending.request.requestSeq,
          approvalId: pending.id,
          forwarded,
        })),
      lifecycle,
      diagnostics,
      findDashboard: deps.findDashboard,
      connectDashboard: deps.connectDashboard,
    })
    : undefined;
  const gate = loaded
    ? new Enforcer({
      loaded,
      state,
      mode: config.policy.mode,
      failClosed: {
        client_to_server: config.policy.failClosed.clientToServer,
        server_to_client: config.policy.failClosed.serverToClient,
      },
      now: clock.now,
      approvals: approvals?.approvals,
    })
    : undefined;
  const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
  const toServer = streamSink(
    upstream.stdin,
    (error) => lifecycle("server_stdin_closed", { error: errorText(error) }),
  );
  let clientGone = false;
  const toClient = streamSink(deps.stdout, (error) => {
    clientGone = true;
    lifecycle("client_gone", { error: errorText(error) });
    if (config.verbose) {
      diagnostics.info(`the client stopped reading (${errorText(error)}); stopping the server`);
    }
    approvals?.clientGone("the client disconnected");
    void toServer.close().then(() => shutdown.afterStdinClosed());
  });
  toClientWrite = (bytes) => {
    if (toClient.broken) return false;
    void toClient.write(bytes);
    return true;
  };

  const closedIds = new ClosedIds();
  const onMessage = (event: MessageEvent) => {
    closedIds.observe(event);
    stats.count(event.direction, event.message.kind, event.size, event.forwarded);
    if (event.correlation) stats.latency(event.correlation.latencyMs);
    for (const item of event.items ?? []) {
      if (item.correlation) stats.latency(item.correlation.latencyMs);
    }
    if (event.decision) {
      const d = event.decision;
      stats.decision(d.applied, d.evalUs, d.action === "error");
      if (d.action === "error") diagnostics.warn(`${d.error} (message seq ${event.seq})`);
    }
    audit.append(messageLine(ctx, event));
    if (event.decision?.applied === "hold") approvals?.held(event.decision.approvalId!);
    if (config.verbose) diagnostics.info(verboseLine(event));
  };
  const onKmMessage = (event: KmMessageEvent) => {
    audit.append(kmMessageLine(ctx, event));
    if (config.verbose) diagnostics.info(verboseLine(event));
  };
  const onOversized = (event: OversizedEvent) => {
    stats.count(event.direction, "oversized", event.size, false);
    audit.append(oversizedRecord(ctx, event));
    const from = event.direction === "client_to_server" ? "client" : "server";
    diagnostics.warn(
      `dropped a ${formatBytes(event.size)} message from the ${from}: it exceeds maxMessageBytes ` +
        `(${formatBytes(event.limit)})${
          event.reply ? `; answered the ${event.reply.to} with an error` : ""
        }`,
    );
  };
  const onEnded = (side: Side, error?: unknown) => {
    const fields = error ? { error: errorText(error) } : {};
    // Not an end of input but a failure: say so, not only in the log.
    if (error) {
      diagnostics.error(`relaying from the ${side} stopped: ${terminalSafe(errorText(error))}`);
    }
    if (side === "server") return lifecycle("server_stdout_eof", fields);
    if (clientGone) return;
    lifecycle("client_eof", fields);
    approvals?.clientGone("the client closed its end");
    void toServer.close().then(() => shutdown.afterStdinClosed());
  };

  const relay = new Relay({
    maxMessageBytes: config.maxMessageBytes,
    clock,
    nextSeq,
    observer: {
      message: onMessage,
      oversized: onOversized,
      kmMessage: onKmMessage,
      ended: onEnded,
    },
    gate,
    correlator,
    records: {
      flush: () => audit.flush(),
      flushSync: () => audit.flushSync(),
      failing: () => audit.health.failing,
    },
    refuseUnrecorded,
  });
  const pumps = relay.run({ output: deps.stdin, input: toClient }, {
    output: upstream.stdout,
    input: toServer,
  });
  const stderrDone = pumpStderr(upstream.stderr, deps.stderr, (line) => {
    stats.stderrLines++;
    const s = nextSeq();
    const at = clock.epochMs();
    audit.append(stderrRecord(ctx, s, at, line));
  });

  const stopReloading = gate && config.policy.path && config.policy.path !== NO_POLICY
    ? reloadOnChange(config.policy.path, gate, {
      load: () => deps.loadPolicy(config.policy.path!, policyOptions(config, dataDir)),
      lifecycle,
      diagnostics,
      watch: deps.watchPath,
    })
    : undefined;

  const status = await upstream.status;
  shutdown.finished();
  approvals?.close(`the server ${outcomeOf(status)}`);
  lifecycle("server_exit", { exit_code: status.code, signal: status.signal });
  // Descendants left in the server's process group would hold its pipes open (and be orphans).
  if (upstream.signal("SIGKILL")) {
    lifecycle("kill", { signal: "SIGKILL", target: "processes the server left behind" });
  }
  // What the server wrote before exiting is still in the pipes: relay and record all of it.
  await atMost(Promise.all([pumps.server, stderrDone]), DRAIN_AFTER_EXIT_MS);

  await answerAbandoned(status, {
    pending: relay.correlator.pending("client_to_server"),
    closedIds,
    toClient,
    answered: (p, now) => relay.correlator.response("server_to_client", p.id, now),
    clock,
    nextSeq,
    onKmMessage,
    lifecycle,
  });
  await stopReloading?.();
  await atMost(toClient.close(), FLUSH_CLIENT_MS);

  const durationMs = clock.now() - t0;
  // The shutdown record is the last: a signal from now on has nothing left to stop.
  signals.route(() => {});
  lifecycle("shutdown", {
    exit_code: status.code,
    reason: outcomeOf(status),
    duration_ms: Math.round(durationMs),
    messages: {
      client_to_server: stats.directions.client_to_server.messages,
      server_to_client: stats.directions.server_to_client.messages,
    },
    ...(correlator.forgotten > 0 ? { requests_forgotten: correlator.forgotten } : {}),
    ...(audit.health.lost > 0 ? { records_lost: audit.health.lost } : {}),
  });
  await audit.close();
  const { lost } = audit.health;
  if (lost > 0) {
    diagnostics.error(
      `${lost} audit record${lost === 1 ? "" : "s"} could not be written to "${logPath}"`,
    );
  }
  if (!config.quiet) {
    diagnostics.raw(summary({
      sessionId,
      serverName,
      durationMs,
      outcome: outcomeOf(status),
      stats,
      logPath,
      records: audit.written,
      recordsLost: lost,
      policy: loaded ? { revision: loaded.revision, mode: config.policy.mode } : undefined,
    }));
  }
  // A clean exit with records missing is not clean: say it in the exit code (EX_IOERR).
  return status.code === 0 && lost > 0 ? EXIT_AUDIT_INCOMPLETE : status.code;
}

/** km's exit code when the server exited 0 but some records could not be written. */
export const EXIT_AUDIT_INCOMPLETE = 74;

/**
 * Answers the client's requests the server left unanswered with an error, except those km must
 * not answer (abandoned.ts), and records what it did.
 */
async function answerAbandoned(
  status: ExitStatus,
  io: {
    pending: PendingRequest[];
    closedIds: ClosedIds;
    toClient: ByteSink;
    /** Resolves the request in the correlator, for the answer's record. */
    answered: (request: PendingRequest, now: number) => Correlation | undefined;
    clock: Clock;
    nextSeq: () => number;
    onKmMessage: (event: KmMessageEvent) => void;
    lifecycle: (event: LifecycleEvent, fields?: Record<string, unknown>) => void;
  },
): Promise<void> {
  if (io.pending.length === 0) return;
  const { answer, skip } = sortAbandoned(io.pending, io.closedIds);
  const error = new JsonRpcError(
    RPC_CODES.internalError,
    `MCP server ${outcomeOf(status)} before answering`,
  );
  const encoder = new TextEncoder();
  const lines = answer.map((p) => encoder.encode(error.toResponse(p.id.raw) + "\n"));
  const written = lines.length > 0 ? io.toClient.write(concatBytes(lines)) : undefined;
  const now = io.clock.now();
  answer.forEach((p, i) =>
    io.onKmMessage(kmMessageEvent({
      direction: "server_to_client",
      seq: io.nextSeq(),
      at: io.clock.epochMs(),
      bytes: lines[i],
      causeSeq: p.seq,
      answers: [io.answered(p, now)],
      forwarded: !io.toClient.broken,
    }))
  );
  await written;
  const skipped = new Map(skip.map((s) => [s.request, s.closed]));
  io.lifecycle("pending_abandoned", {
    answered_with_error: answer.length > 0 && !io.toClient.broken,
    requests: io.pending.map((p) => {
      const closed = skipped.get(p);
      return {
        id: p.id.raw,
        method: p.method,
        tool: p.tool,
        request_seq: p.seq,
        ...(closed
          ? {
            not_answered: closed.how === "cancelled" ? "cancelled" : "already_answered",
            ...(closed.seq !== undefined ? { closed_by_seq: closed.seq } : {}),
          }
          : {}),
      };
    }),
  });
}

/** `--policy PATH`, the embedded default policy without one, or none with `--no-policy`. */
function choosePolicy(
  config: Config,
  deps: MonitorDeps,
  dataDir: string | undefined,
): Promise<LoadedPolicy | undefined> {
  const path = config.policy.path;
  if (path === NO_POLICY) return Promise.resolve(undefined);
  if (path === undefined) return deps.loadDefaultPolicy();
  return deps.loadPolicy(path, policyOptions(config, dataDir));
}

function policyOptions(config: Config, dataDir: string | undefined): LoadOptions {
  return {
    dataPath: config.policy.data,
    cacheDir: dataDir ? `${dataDir}/policy-cache` : undefined,
  };
}

/** Reloads the policy when its files change; a failed reload keeps the policy in force. */
function reloadOnChange(
  path: string,
  gate: Enforcer,
  io: {
    load: () => Promise<LoadedPolicy>;
    lifecycle: (event: LifecycleEvent, fields?: Record<string, unknown>) => void;
    diagnostics: Diagnostics;
    watch: MonitorDeps["watchPath"];
  },
): () => Promise<void> {
  const reloader = new Reloader({
    load: io.load,
    onLoaded: (loaded) => {
      if (loaded.revision === gate.loaded.revision) return;
      const previous = gate.loaded.revision;
      gate.swap(loaded);
      io.lifecycle("policy_reloaded", {
        source: loaded.source,
        revision: loaded.revision,
        previous,
      });
      io.diagnostics.info(`policy reloaded from ${loaded.source} (revision ${loaded.revision})`);
    },
    onFailed: (error) => {
      const message = (error as Error).message;
      io.lifecycle("policy_reload_failed", {
        source: path,
        error: message,
        kept: gate.loaded.revision,
      });
      io.diagnostics.error(
        `policy reload failed; keeping revision ${gate.loaded.revision}: ${message}`,
      );
    },
  });
  const stopWatching = io.watch(path, () => reloader.changed());
  return async () => {
    stopWatching();
    await reloader.close();
  };
}

function outcomeOf(status: ExitStatus): string {
  return status.signal
    ? `was killed by ${status.signal} (exit code ${status.code})`
    : `exited with code ${status.code}`;
}
