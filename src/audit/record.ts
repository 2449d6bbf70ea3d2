/**
 * Audit records (schema `km.audit/v1`, documented in docs/audit-log.md). Pure builders: the
 * relay's events and lifecycle facts in, JSON lines out. Redaction happens here, so nothing
 * reaches the writer unredacted. A message body is embedded as the text that was received
 * whenever redaction leaves it unchanged, so the common case costs no re-serialising.
 */
import { type Correlation, toolOf } from "../jsonrpc/correlation.ts";
import type { Message } from "../jsonrpc/message.ts";
import type { BatchItem, MessageEvent, OversizedEvent } from "../relay/relay.ts";
import type { Redactor } from "./redact.ts";

export const SCHEMA = "km.audit/v1";

export type LogBodies = "full" | "metadata";

/** Everything a record builder needs besides the event. */
export interface RecordContext {
  readonly sessionId: string;
  readonly redactor: Redactor;
  readonly logBodies: LogBodies;
}

export type AuditRecord = Record<string, unknown>;

/** Lifecycle events of a session. */
export type LifecycleEvent =
  | "start"
  | "spawn_failed"
  | "client_eof"
  | "client_gone"
  | "server_stdin_closed"
  | "server_stdout_eof"
  | "server_exit"
  | "signal"
  | "terminate"
  | "kill"
  | "pending_abandoned"
  | "shutdown";

function base(ctx: RecordContext, seq: number, at: number, type: string): AuditRecord {
  return { schema: SCHEMA, session_id: ctx.sessionId, seq, timestamp: timestamp(at), type };
}

let lastAt = Number.NaN;
let lastTimestamp = "";

/** RFC 3339 text of an epoch time; records of the same millisecond share one conversion. */
function timestamp(at: number): string {
  if (at !== lastAt) {
    lastAt = at;
    lastTimestamp = new Date(at).toISOString();
  }
  return lastTimestamp;
}

/** The record of one received line (message, batch or invalid line), as one JSON line. */
export function messageLine(ctx: RecordContext, event: MessageEvent): string {
  const record = base(ctx, event.seq, event.at, "message");
  record.direction = event.direction;
  Object.assign(record, summary(event.message, event.correlation));
  record.size = event.size;
  record.forwarded = event.forwarded;
  if (!event.terminated) record.unterminated = true;
  if (event.reusedId) record.reused_id = true;
  if (event.cancels) record.cancels_seq = event.cancels.seq;
  if (event.items) record.items = event.items.map(itemSummary);
  if (event.elided) record.elided = event.elided;
  const head = JSON.stringify(record);
  const body = ctx.logBodies === "full" ? bodyOf(ctx, event) : "";
  return body ? `${head.slice(0, -1)}${body}}` : head;
}

/** The record of a line over the size limit, with its head and tail (redacted). */
export function oversizedRecord(ctx: RecordContext, event: OversizedEvent): AuditRecord {
  const record = base(ctx, event.seq, event.at, "message");
  record.direction = event.direction;
  record.kind = "oversized";
  if (event.id) record.id = event.id.raw;
  if (event.correlation) Object.assign(record, requestLink(event.correlation));
  record.size = event.size;
  record.limit = event.limit;
  record.forwarded = false;
  if (event.reply) {
    record.reply = { to: event.reply.to, response: JSON.parse(event.reply.response) };
  }
  if (ctx.logBodies === "full") {
    const text = new TextDecoder();
    const head = ctx.redactor.text(text.decode(event.head));
    const tail = ctx.redactor.text(text.decode(event.tail));
    record.head = head.value;
    record.tail = tail.value;
    const redactions = head.redactions + tail.redactions;
    if (redactions) record.redactions = redactions;
  }
  return record;
}

/** A lifecycle record: start, server exit, signal, shutdown... with event-specific fields. */
export function lifecycleRecord(
  ctx: RecordContext,
  seq: number,
  at: number,
  event: LifecycleEvent,
  fields: Record<string, unknown> = {},
): AuditRecord {
  return { ...base(ctx, seq, at, "lifecycle"), event, ...ctx.redactor.value(fields).value };
}

/** One line the server wrote to stderr. */
export function stderrRecord(
  ctx: RecordContext,
  seq: number,
  at: number,
  line: string,
): AuditRecord {
  const record = base(ctx, seq, at, "stderr");
  const { value, redactions } = ctx.redactor.text(line);
  record.text = value;
  if (redactions) record.redactions = redactions;
  return record;
}

/** kind, method, id, tool, and what the response learned from its request. */
function summary(message: Message, correlation?: Correlation): AuditRecord {
  const out: AuditRecord = { kind: message.kind };
  switch (message.kind) {
    case "request":
      out.method = message.method;
      out.id = message.id.raw;
      out.tool = toolOf(message.method, message.params);
      if (out.tool === undefined) delete out.tool;
      break;
    case "notification":
      out.method = message.method;
      break;
    case "response":
    case "error":
      if (message.id) out.id = message.id.raw;
      if (correlation) Object.assign(out, requestLink(correlation));
      else out.unmatched = true;
      if (message.kind === "error") {
        out.error = { code: message.error.code, message: message.error.message };
      }
      break;
    case "invalid":
      out.reason = message.reason;
      break;
    case "batch":
      break;
  }
  return out;
}

function itemSummary(item: BatchItem): AuditRecord {
  return summary(item.message, item.correlation);
}

function requestLink(correlation: Correlation): AuditRecord {
  const { request, latencyMs } = correlation;
  const out: AuditRecord = { method: request.method, request_seq: request.seq };
  if (request.tool !== undefined) out.tool = request.tool;
  out.latency_ms = Math.round(latencyMs * 1000) / 1000;
  if (request.cancelled) out.cancelled = true;
  return out;
}

/** `,"message":…` (the JSON body) or `,"raw":…` (an invalid line's text), redacted. */
function bodyOf(ctx: RecordContext, event: MessageEvent): string {
  const message = event.message;
  if (message.kind === "invalid" && message.value === undefined) {
    const raw = ctx.redactor.text(message.text);
    return `,"raw":${JSON.stringify(raw.value)}${counts(raw)}`;
  }
  const json = ctx.redactor.json(event.text, "value" in message ? message.value : undefined);
  return `,"message":${json.value}${counts(json)}`;
}

function counts(result: { redactions: number; truncated: number }): string {
  return (result.redactions ? `,"redactions":${result.redactions}` : "") +
    (result.truncated ? `,"truncated":${result.truncated}` : "");
}
