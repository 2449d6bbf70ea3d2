/**
 * Audit records (schema `km.audit/v1`, documented in docs/audit-log.md). Pure builders: the
 * relay's events and lifecycle facts in, JSON lines out. Redaction happens here, so nothing
 * reaches the writer unredacted. A message body is embedded as the text that was received
 * whenever redaction leaves it unchanged, so the common case costs no re-serialising.
 */
import { type Correlation, toolOf } from "../jsonrpc/correlation.ts";
import type { Message } from "../jsonrpc/message.ts";
import type { BatchItem, KmMessageEvent, MessageEvent, OversizedEvent } from "../relay/events.ts";
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
  | "policy_reloaded"
  | "policy_reload_failed"
  | "approval_requested"
  | "approval_resolved"
  | "definitions_pinned"
  | "definitions_changed"
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

const prefixes = new WeakMap<RecordContext, string>();

/** `{"schema":…,"session_id":…,` — the same for every record of a session, built once. */
function sessionPrefix(ctx: RecordContext): string {
  let prefix = prefixes.get(ctx);
  if (prefix === undefined) {
    prefix = `{"schema":"${SCHEMA}","session_id":${JSON.stringify(ctx.sessionId)},`;
    prefixes.set(ctx, prefix);
  }
  return prefix;
}

/** The record of one received line (message, batch or invalid line), as one JSON line. */
export function messageLine(ctx: RecordContext, event: MessageEvent): string {
  // Written member by member: the hot path of the audit log, with no intermediate object.
  const out = messageHead(ctx, event, "");
  if (!event.terminated) out.add("unterminated", true);
  if (event.reusedId) out.add("reused_id", true);
  if (event.cancels) out.add("cancels_seq", event.cancels.seq);
  if (event.items) out.add("items", event.items.map((item) => itemSummary(ctx, item)));
  if (event.elided) out.add("elided", event.elided);
  if (event.invalidUtf8) out.add("invalid_utf8", true);
  if (event.decision) addDecision(out, ctx, event);
  return messageBody(out, ctx, event);
}

/**
 * The record of a line km wrote itself (`"origin":"km"`): a message record whose `cause_seq`
 * names the message that made km write it.
 */
export function kmMessageLine(ctx: RecordContext, event: KmMessageEvent): string {
  const out = messageHead(ctx, event, `"origin":"km",`);
  out.add("cause_seq", event.causeSeq).add("approval_id", event.about);
  if (event.items) out.add("items", event.items.map((item) => itemSummary(ctx, item)));
  return messageBody(out, ctx, event);
}

/** What every message record starts with: common fields, the summary, size and forwarding. */
function messageHead(
  ctx: RecordContext,
  event: MessageEvent | KmMessageEvent,
  origin: string,
): JsonLine {
  const out = new JsonLine(
    `${sessionPrefix(ctx)}"seq":${event.seq},"timestamp":"${timestamp(event.at)}",` +
      `"type":"message",${origin}"direction":"${event.direction}"`,
  );
  addSummary(out, ctx, event.message, event.correlation, "tool" in event ? event.tool : undefined);
  return out.add("size", event.size).add("forwarded", event.forwarded);
}

/** The body, unless bodies are off, and the end of the record. */
function messageBody(
  out: JsonLine,
  ctx: RecordContext,
  event: MessageEvent | KmMessageEvent,
): string {
  if (ctx.logBodies === "full") out.raw(bodyOf(ctx, event.message, event.text));
  return out.close();
}

/** Where summary fields go: a JSON text being written, or a plain object. */
interface Fields {
  add(key: string, value: unknown): Fields;
}

/** A JSON object text built member by member; undefined values are left out. */
class JsonLine implements Fields {
  constructor(private text: string) {}

  add(key: string, value: unknown): this {
    if (value !== undefined) this.text += `,"${key}":${JSON.stringify(value)}`;
    return this;
  }

  /** Appends members given as JSON text (starting with a comma). */
  raw(members: string): this {
    this.text += members;
    return this;
  }

  close(): string {
    return `${this.text}}`;
  }
}

/** Fields collected into an object (for the items of a batch). */
class ObjectFields implements Fields {
  constructor(readonly value: AuditRecord = {}) {}

  add(key: string, value: unknown): this {
    if (value !== undefined) this.value[key] = value;
    return this;
  }
}

/** The record of a line over the size limit, with its head and tail (redacted). */
export function oversizedRecord(ctx: RecordContext, event: OversizedEvent): AuditRecord {
  const record = base(ctx, event.seq, event.at, "message");
  record.direction = event.direction;
  record.kind = "oversized";
  if (event.id) record.id = event.id.raw;
  if (event.correlation) addRequestLink(new ObjectFields(record), ctx, event.correlation);
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

/** The policy's decision, with OPA decision-log names where they fit. */
function addDecision(out: Fields, ctx: RecordContext, event: MessageEvent): void {
  const d = event.decision!;
  out.add("decision_id", `${ctx.sessionId}/${event.seq}`);
  out.add("result", {
    action: d.action,
    applied: d.applied,
    reasons: d.reasons.map((r) => ctx.redactor.text(r).value),
    rules: d.rules,
    ...(d.risk ? { risk: d.risk } : {}),
    ...(d.labels.length ? { labels: d.labels } : {}),
    ...(d.error ? { error: ctx.redactor.text(d.error).value } : {}),
    ...(d.approvalId ? { approval_id: d.approvalId } : {}),
    ...(d.integrity ? { integrity: d.integrity } : {}),
  });
  out.add("revision", d.revision);
  out.add("metrics", d.cached ? { eval_us: d.evalUs, cached: true } : { eval_us: d.evalUs });
}

/** kind, method, id, tool, and what the response learned from its request; redacted. */
function addSummary(
  out: Fields,
  ctx: RecordContext,
  message: Message,
  correlation?: Correlation,
  taskTool?: string,
): void {
  out.add("kind", message.kind);
  switch (message.kind) {
    case "request":
      out.add("method", clean(ctx, message.method)).add("id", clean(ctx, message.id.raw));
      out.add("tool", clean(ctx, toolOf(message.method, message.params) ?? taskTool));
      break;
    case "notification":
      out.add("method", clean(ctx, message.method));
      out.add("tool", clean(ctx, taskTool));
      break;
    case "response":
    case "error":
      if (message.id) out.add("id", clean(ctx, message.id.raw));
      if (correlation) addRequestLink(out, ctx, correlation);
      else out.add("unmatched", true);
      if (message.kind === "error") {
        // Both are whatever the peer sent: any JSON, any depth, redacted like a body.
        const { code, message: text } = message.error;
        out.add("error", {
          code: ctx.redactor.value(code).value,
          message: ctx.redactor.value(text).value,
        });
      }
      break;
    case "invalid":
      out.add("reason", reasonOf(ctx, message.reason));
      break;
    case "batch":
      break;
  }
}

function itemSummary(ctx: RecordContext, item: BatchItem): AuditRecord {
  const fields = new ObjectFields();
  addSummary(fields, ctx, item.message, item.correlation);
  return fields.value;
}

function addRequestLink(out: Fields, ctx: RecordContext, correlation: Correlation): void {
  const { request, latencyMs } = correlation;
  out.add("method", clean(ctx, request.method)).add("request_seq", request.seq);
  out.add("tool", clean(ctx, request.tool));
  out.add("latency_ms", Math.round(latencyMs * 1000) / 1000);
  if (request.cancelled) out.add("cancelled", true);
  if (correlation.looseId) out.add("loose_id", true);
}

/**
 * `,"message":…` (the JSON body) or `,"raw":…` (an invalid line's text, redacted as text), and
 * `,"unrecorded":…` when part of the body was nested too deep to record.
 */
function bodyOf(ctx: RecordContext, message: Message, text: string): string {
  if (message.kind === "invalid" && message.value === undefined) {
    const raw = ctx.redactor.text(message.text);
    return `,"raw":${JSON.stringify(raw.value)}${counts(raw)}`;
  }
  const json = ctx.redactor.json(text, "value" in message ? message.value : undefined);
  const unrecorded = json.unrecorded ? `,"unrecorded":${JSON.stringify(json.unrecorded)}` : "";
  return `,"message":${json.value}${unrecorded}${counts(json)}`;
}

/** A name or id from a message (a method, a tool, an id's text), redacted like any string. */
function clean(ctx: RecordContext, text: string | undefined): string | undefined {
  return text === undefined ? undefined : ctx.redactor.text(text).value;
}

/**
 * Why a line is invalid, without the excerpt of the line that JavaScript's parse errors quote
 * (`Unexpected token 'o', "token ghp_a"... is not valid JSON`): a cut-off secret there is too
 * short for any pattern, and the reason is recorded even with `--log-bodies metadata`. The
 * line itself is in `raw`, redacted whole.
 */
function reasonOf(ctx: RecordContext, reason: string): string {
  const excerpt = reason.indexOf(', "') === -1 ? reason.indexOf(', ..."') : reason.indexOf(', "');
  const tail = reason.endsWith('"... is not valid JSON')
    ? '"... is not valid JSON'
    : '" is not valid JSON';
  if (excerpt === -1 || !reason.endsWith(tail)) return ctx.redactor.text(reason).value;
  return `${ctx.redactor.text(reason.slice(0, excerpt)).value}, "…" is not valid JSON`;
}

function counts(result: { redactions: number; truncated: number }): string {
  return (result.redactions ? `,"redactions":${result.redactions}` : "") +
    (result.truncated ? `,"truncated":${result.truncated}` : "");
}
