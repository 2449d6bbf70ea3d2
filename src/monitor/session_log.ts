/**
 * The session's audit log: opened at the chosen path, with the session's record numbering
 * (`seq`) and one writer per kind of record, and the `RecordSink` the relay flushes before it
 * forwards what the records describe.
 */
import { AuditLog, type LogHealth } from "../audit/audit_log.ts";
import {
  kmMessageLine,
  type LifecycleEvent,
  lifecycleRecord,
  messageLine,
  oversizedRecord,
  type RecordContext,
  stderrRecord,
} from "../audit/record.ts";
import type { Diagnostics } from "../diagnostics.ts";
import type {
  Clock,
  KmMessageEvent,
  MessageEvent,
  OversizedEvent,
  RecordSink,
} from "../relay/events.ts";

/** Writes a lifecycle record (start, signal, server_exit, shutdown, ...). */
export type Lifecycle = (event: LifecycleEvent, fields?: Record<string, unknown>) => void;

export interface SessionLogOptions {
  readonly path: string;
  readonly ctx: RecordContext;
  readonly clock: Clock;
  readonly diagnostics: Diagnostics;
  /** Under enforce with audit.onWriteFailure block: km refuses what it cannot record. */
  readonly refuseUnrecorded: boolean;
}

export interface SessionLog {
  readonly path: string;
  /** The next record number of the session. */
  readonly nextSeq: () => number;
  readonly lifecycle: Lifecycle;
  message(event: MessageEvent): void;
  kmMessage(event: KmMessageEvent): void;
  oversized(event: OversizedEvent): void;
  stderr(line: string): void;
  /** For the relay: its records are written before what they record is forwarded. */
  readonly records: RecordSink;
  /** The relay runs from now on: a failed write is reported on stderr. */
  relaying(): void;
  flush(): Promise<boolean>;
  readonly health: LogHealth;
  /** Records written so far. */
  readonly written: number;
  close(): Promise<void>;
}

/** Opens the file behind the log; a test passes one over an in-memory file. */
export type OpenLog = (path: string, onError: (error: unknown) => void) => Promise<AuditLog>;

export async function openSessionLog(
  options: SessionLogOptions,
  open: OpenLog = (path, onError) => AuditLog.open(path, onError),
): Promise<SessionLog> {
  const { path, ctx, clock, diagnostics, refuseUnrecorded } = options;
  let relaying = false;
  const audit = await open(path, (error) => {
    // Before the relay starts, a failure ends the session instead (see start.ts).
    if (!relaying) return;
    diagnostics.error(
      `writing the audit log "${path}" failed: ${(error as Error).message}; ${
        refuseUnrecorded
          ? "km refuses requests until their records can be written (audit.onWriteFailure: block)"
          : "messages are relayed unrecorded (audit.onWriteFailure: continue)"
      }`,
    );
  });
  let seq = 0;
  const nextSeq = () => ++seq;
  return {
    path,
    nextSeq,
    lifecycle: (event, fields = {}) => {
      const s = nextSeq();
      const at = clock.epochMs();
      audit.append(lifecycleRecord(ctx, s, at, event, fields));
    },
    message: (event) => audit.append(messageLine(ctx, event)),
    kmMessage: (event) => audit.append(kmMessageLine(ctx, event)),
    oversized: (event) => audit.append(oversizedRecord(ctx, event)),
    stderr: (line) => {
      const s = nextSeq();
      const at = clock.epochMs();
      audit.append(stderrRecord(ctx, s, at, line));
    },
    records: {
      flush: () => audit.flush(),
      flushSync: () => audit.flushSync(),
      failing: () => audit.health.failing,
    },
    relaying: () => {
      relaying = true;
    },
    flush: () => audit.flush(),
    get health() {
      return audit.health;
    },
    get written() {
      return audit.written;
    },
    close: () => audit.close(),
  };
}
