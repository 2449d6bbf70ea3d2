/**
 * What the session does with everything the relay and the server's stderr report: counts it
 * (stats), records it (the audit log), reports policy errors, dropped messages and, with
 * --verbose, every message on stderr, and tells the approvals when a held message is recorded.
 * The approvals' lifecycle records pass through it too, so that a held message an approval
 * sends on counts as forwarded.
 */
import { type Diagnostics, terminalSafe } from "../diagnostics.ts";
import type {
  KmMessageEvent,
  MessageEvent,
  OversizedEvent,
  RelayObserver,
  Side,
} from "../relay/events.ts";
import type { SessionStats } from "./session_stats.ts";
import type { LifecycleEvent } from "../audit/record.ts";
import type { ClosedIds } from "./abandoned.ts";
import type { SessionApprovals } from "./approvals.ts";
import { errorText } from "./pipes.ts";
import { formatBytes, verboseLine } from "./report.ts";
import type { SessionLog } from "./session_log.ts";

export interface ObserverOptions {
  readonly log: Pick<
    SessionLog,
    "message" | "kmMessage" | "oversized" | "stderr" | "lifecycle"
  >;
  readonly stats: SessionStats;
  /** Requests the client closed itself (cancelled, or answered twice): see abandoned.ts. */
  readonly closedIds: ClosedIds;
  readonly diagnostics: Diagnostics;
  readonly verbose: boolean;
  readonly approvals?: Pick<SessionApprovals, "held">;
  /** The client's output ended (EOF, or failed with `fields.error`). */
  readonly clientEnded: (fields: Record<string, unknown>) => void;
}

export interface SessionObserver extends RelayObserver {
  /** A line of the server's stderr. */
  stderrLine(line: string): void;
  /** Writes a lifecycle record; `approval_resolved` also tells the stats what became of it. */
  lifecycle(event: LifecycleEvent, fields?: Record<string, unknown>): void;
}

export function sessionObserver(options: ObserverOptions): SessionObserver {
  const { log, stats, closedIds, diagnostics, verbose, approvals } = options;
  /** The highest `seq` of a message recorded so far. */
  let recorded = 0;
  /**
   * Lifecycle records about a message (`cause_seq`) written while it is judged, before its own
   * record (pins compare a list response then): they wait for it, so the log stays in order.
   */
  const waiting: { cause: number; write: () => void }[] = [];
  const flush = (upTo: number) => {
    while (waiting.length > 0 && waiting[0].cause <= upTo) waiting.shift()!.write();
  };
  const lifecycle = (event: LifecycleEvent, fields: Record<string, unknown> = {}): void => {
    const cause = fields.cause_seq;
    if (typeof cause === "number" && cause > recorded) {
      waiting.push({ cause, write: () => lifecycle(event, fields) });
      return;
    }
    log.lifecycle(event, fields);
    if (event === "approval_resolved" && typeof fields.approval_id === "string") {
      stats.released(fields.approval_id, fields.applied === "forward");
    }
  };
  return {
    message(event: MessageEvent) {
      closedIds.observe(event);
      stats.count(event.direction, event.message.kind, event.size, event.forwarded);
      // Before approvals.held below, which may write the approval's end (a retry's).
      if (event.decision?.applied === "hold" && event.decision.approvalId !== undefined) {
        stats.held(event.direction, event.decision.approvalId);
      }
      if (event.correlation) stats.latency(event.correlation.latencyMs);
      for (const item of event.items ?? []) {
        if (item.correlation) stats.latency(item.correlation.latencyMs);
      }
      if (event.decision) {
        const d = event.decision;
        stats.decision(d.applied, d.evalUs, d.action === "error");
        if (d.action === "error") diagnostics.warn(`${d.error} (message seq ${event.seq})`);
      }
      log.message(event);
      recorded = Math.max(recorded, event.seq);
      flush(recorded);
      if (event.decision?.applied === "hold") approvals?.held(event.decision.approvalId!);
      if (verbose) diagnostics.info(verboseLine(event));
    },
    kmMessage(event: KmMessageEvent) {
      log.kmMessage(event);
      // km's question in answer to the request (input_required) comes before its approval's
      // record; for a held message this was done at its own record, and does nothing now.
      if (event.about !== undefined) approvals?.held(event.about);
      if (verbose) diagnostics.info(verboseLine(event));
    },
    oversized(event: OversizedEvent) {
      stats.count(event.direction, "oversized", event.size, false);
      log.oversized(event);
      const from = event.direction === "client_to_server" ? "client" : "server";
      diagnostics.warn(
        `dropped a ${formatBytes(event.size)} message from the ${from}: it exceeds ` +
          `maxMessageBytes (${formatBytes(event.limit)})${
            event.reply ? `; answered the ${event.reply.to} with an error` : ""
          }`,
      );
    },
    ended(side: Side, error?: unknown) {
      flush(Infinity);
      const fields = error ? { error: errorText(error) } : {};
      // Not an end of input but a failure: say so, not only in the log.
      if (error) {
        diagnostics.error(`relaying from the ${side} stopped: ${terminalSafe(errorText(error))}`);
      }
      if (side === "server") return log.lifecycle("server_stdout_eof", fields);
      options.clientEnded(fields);
    },
    stderrLine(line: string) {
      stats.stderrLines++;
      log.stderr(line);
    },
    lifecycle,
  };
}
