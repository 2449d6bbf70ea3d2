/**
 * The end of a session, once the server has exited: stop what waits on it, drain its pipes,
 * answer the requests it left unanswered, write the `shutdown` record and the summary, and
 * choose km's exit code.
 */
import { atMost } from "../at_most.ts";
import { concatBytes } from "../concat_bytes.ts";
import type { Diagnostics } from "../diagnostics.ts";
import { JsonRpcError, RPC_CODES } from "../errors.ts";
import type { Correlator, PendingRequest } from "../jsonrpc/correlation.ts";
import type { LoadedPolicy } from "../policy/build/load_policy.ts";
import type { Clock, KmMessageEvent } from "../relay/events.ts";
import { kmMessageEvent } from "../relay/km_message.ts";
import type { ByteSink } from "../relay/sink.ts";
import type { SessionStats } from "./session_stats.ts";
import { type ClosedIds, sortAbandoned } from "./abandoned.ts";
import type { SessionApprovals } from "./approvals.ts";
import { summary } from "./report.ts";
import type { Shutdown } from "./shutdown.ts";
import type { SessionLog } from "./session_log.ts";
import type { SignalLatch } from "./signals.ts";
import type { ExitStatus, Upstream } from "./upstream.ts";

/** km's exit code when the server exited 0 but some records could not be written. */
export const EXIT_AUDIT_INCOMPLETE = 74;

/**
 * The longest km waits for the server's pipes to end after it exits. Only a process that left
 * the server's process group yet holds its stdout or stderr open makes this wait matter.
 */
const DRAIN_AFTER_EXIT_MS = 5000;
/** How long to wait for the client to take the last bytes before giving up on it. */
const FLUSH_CLIENT_MS = 2000;

export function outcomeOf(status: ExitStatus): string {
  return status.signal
    ? `was killed by ${status.signal} (exit code ${status.code})`
    : `exited with code ${status.code}`;
}

export interface ServerExitOptions {
  readonly upstream: Pick<Upstream, "signal">;
  /** The staged stop, the approvals and the policy reload: each stops here. */
  readonly shutdown: Pick<Shutdown, "finished">;
  readonly approvals?: Pick<SessionApprovals, "close">;
  readonly stopReloading?: () => Promise<void>;
  /** The relay's and the stderr pump's reading of the server's stdout and stderr. */
  readonly drained: Promise<unknown>;
  readonly correlator: Correlator;
  readonly closedIds: ClosedIds;
  readonly toClient: ByteSink;
  readonly clock: Clock;
  readonly log: Pick<SessionLog, "lifecycle" | "nextSeq">;
  /** Records (and reports) a line km sent the client. */
  readonly kmMessage: (event: KmMessageEvent) => void;
}

/** After the server exited with `status`: everything up to the `shutdown` record. */
export async function afterServerExit(
  status: ExitStatus,
  options: ServerExitOptions,
): Promise<void> {
  const { upstream, log, correlator } = options;
  options.shutdown.finished();
  options.approvals?.close(`the server ${outcomeOf(status)}`);
  log.lifecycle("server_exit", { exit_code: status.code, signal: status.signal });
  // Descendants left in the server's process group would hold its pipes open (and be orphans).
  if (upstream.signal("SIGKILL")) {
    log.lifecycle("kill", { signal: "SIGKILL", target: "processes the server left behind" });
  }
  // What the server wrote before exiting is still in the pipes: relay and record all of it.
  await atMost(options.drained, DRAIN_AFTER_EXIT_MS);

  await answerAbandoned(status, {
    pending: correlator.pending("client_to_server"),
    closedIds: options.closedIds,
    toClient: options.toClient,
    answered: (p, now) => correlator.response("server_to_client", p.id, now),
    clock: options.clock,
    nextSeq: log.nextSeq,
    kmMessage: options.kmMessage,
    lifecycle: log.lifecycle,
  });
  await options.stopReloading?.();
  await atMost(options.toClient.close(), FLUSH_CLIENT_MS);
}

export interface EndOptions extends ServerExitOptions {
  readonly log: SessionLog;
  readonly signals: Pick<SignalLatch, "route">;
  /** When the session began (`clock.now()`). */
  readonly t0: number;
  readonly stats: SessionStats;
  readonly sessionId: string;
  readonly serverName: string;
  readonly loaded: LoadedPolicy | undefined;
  readonly mode: string;
  readonly quiet: boolean;
  readonly diagnostics: Diagnostics;
}

/**
 * Ends the session of a server that exited with `status`: everything after its exit, then the
 * `shutdown` record, the log closed, lost records and the summary reported; returns km's exit
 * code: the server's, or EXIT_AUDIT_INCOMPLETE for a clean exit with records missing.
 */
export async function endSession(status: ExitStatus, options: EndOptions): Promise<number> {
  const { log, stats, correlator, diagnostics } = options;
  await afterServerExit(status, options);
  const durationMs = options.clock.now() - options.t0;
  // The shutdown record is the last: a signal from now on has nothing left to stop.
  options.signals.route(() => {});
  log.lifecycle("shutdown", {
    exit_code: status.code,
    reason: outcomeOf(status),
    duration_ms: Math.round(durationMs),
    messages: {
      client_to_server: stats.directions.client_to_server.messages,
      server_to_client: stats.directions.server_to_client.messages,
    },
    ...(correlator.forgotten > 0 ? { requests_forgotten: correlator.forgotten } : {}),
    ...(log.health.lost > 0 ? { records_lost: log.health.lost } : {}),
  });
  await log.close();
  const { lost } = log.health;
  if (lost > 0) {
    diagnostics.error(
      `${lost} audit record${lost === 1 ? "" : "s"} could not be written to "${log.path}"`,
    );
  }
  if (!options.quiet) {
    diagnostics.raw(summary({
      sessionId: options.sessionId,
      serverName: options.serverName,
      durationMs,
      outcome: outcomeOf(status),
      stats,
      logPath: log.path,
      records: log.written,
      recordsLost: lost,
      policy: options.loaded
        ? { revision: options.loaded.revision, mode: options.mode }
        : undefined,
    }));
  }
  // A clean exit with records missing is not clean: say it in the exit code (EX_IOERR).
  return status.code === 0 && lost > 0 ? EXIT_AUDIT_INCOMPLETE : status.code;
}

/**
 * Answers the client's requests the server left unanswered with an error, except those km must
 * not answer (abandoned.ts), and records what it did.
 */
export async function answerAbandoned(
  status: ExitStatus,
  io: {
    pending: PendingRequest[];
    closedIds: ClosedIds;
    toClient: ByteSink;
    /** Resolves the request in the correlator, for the answer's record. */
    answered: (request: PendingRequest, now: number) => ReturnType<Correlator["response"]>;
    clock: Clock;
    nextSeq: () => number;
    kmMessage: (event: KmMessageEvent) => void;
    lifecycle: SessionLog["lifecycle"];
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
    io.kmMessage(kmMessageEvent({
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
