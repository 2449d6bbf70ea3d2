/**
 * `km logs`' readable output: one line per record. A message record is shown as `km monitor -v`
 * shows the message (report.ts's `verboseLine`, fed with what the record says), after the time,
 * the session and the server; stderr and lifecycle records get a short line of their own. All
 * of it comes from the record, which holds only redacted text; every line is terminal-safe.
 * Pure.
 */
import { terminalSafe } from "../diagnostics.ts";
import type { Direction } from "../jsonrpc/correlation.ts";
import type { Id, Message } from "../jsonrpc/message.ts";
import { verboseLine } from "../monitor/report.ts";
import type { DecisionSummary } from "../decision_summary.ts";
import type { BatchItem, KmMessageEvent, MessageEvent, OversizedEvent } from "../relay/events.ts";

type Rec = Record<string, unknown>;

/** `2026-11-22 20:14:13.369Z b647aabc server-everything → request tools/call #3 echo (139 B)` */
export function readableLine(record: Rec, server: string | undefined): string {
  const time = typeof record.timestamp === "string" ? record.timestamp.replace("T", " ") : "?";
  const session = typeof record.session_id === "string" ? record.session_id.slice(0, 8) : "?";
  return `${terminalSafe(`${time} ${session} ${server ?? "?"}`)} ${body(record)}\n`;
}

function body(record: Rec): string {
  if (record.type === "message") return verboseLine(eventOf(record));
  if (record.type === "stderr") return terminalSafe(`stderr: ${text(record.text)}`);
  if (record.type === "lifecycle") return terminalSafe(lifecycleText(record));
  return terminalSafe(`${text(record.type)} record`);
}

/** Fields of lifecycle records worth a glance, in this order (the rest is in `--json`). */
const LIFECYCLE_FIELDS = [
  "signal",
  "exit_code",
  "reason",
  "outcome",
  "channel",
  "by",
  "applied",
  "method",
  "tool",
  "revision",
  "error",
] as const;

function lifecycleText(record: Rec): string {
  const parts = [`[${text(record.event)}]`];
  if (record.event === "start") {
    const server = record.server as Rec | undefined;
    const command = Array.isArray(server?.command) ? server.command.map(text).join(" ") : "";
    if (command) parts.push(command);
    const policy = record.policy as Rec | undefined;
    if (policy) parts.push(`policy ${text(policy.source)} (${text(policy.mode)})`);
  }
  for (const key of LIFECYCLE_FIELDS) {
    const value = record[key];
    if (value !== undefined && value !== null && typeof value !== "object") {
      parts.push(`${key}=${text(value)}`);
    }
  }
  return parts.join(" ");
}

function text(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value) ?? "";
}

/** The event `km monitor -v` would have shown for this record, rebuilt from its fields. */
export function eventOf(record: Rec): MessageEvent | OversizedEvent | KmMessageEvent {
  const direction: Direction = record.direction === "server_to_client"
    ? "server_to_client"
    : "client_to_server";
  const seq = typeof record.seq === "number" ? record.seq : 0;
  const size = typeof record.size === "number" ? record.size : 0;
  const correlation = correlationOf(record);
  if (record.kind === "oversized") {
    const reply = record.reply as Rec | undefined;
    return {
      direction,
      seq,
      at: 0,
      size,
      limit: typeof record.limit === "number" ? record.limit : 0,
      head: new Uint8Array(0),
      tail: new Uint8Array(0),
      correlation,
      reply: reply && (reply.to === "client" || reply.to === "server")
        ? { to: reply.to, response: "" }
        : undefined,
    };
  }
  const message = messageOf(record);
  const forwarded = record.forwarded === true;
  const items: BatchItem[] | undefined = message.kind === "batch"
    ? message.items.map((item) => ({ message: item }))
    : undefined;
  if (record.origin === "km") {
    return {
      origin: "km",
      direction,
      seq,
      at: 0,
      size,
      message,
      text: "",
      correlation,
      items,
      causeSeq: typeof record.cause_seq === "number" ? record.cause_seq : 0,
      forwarded,
    };
  }
  return {
    direction,
    seq,
    at: 0,
    size,
    message,
    text: "",
    elided: 0,
    correlation,
    items,
    decision: decisionOf(record.result),
    forwarded,
    terminated: record.unterminated !== true,
  };
}

/** The message a record summarises: its kind, method, id, tool, error or reason. */
function messageOf(summary: Rec): Message {
  const id: Id | undefined = typeof summary.id === "string"
    ? { raw: summary.id, key: summary.id }
    : undefined;
  const method = typeof summary.method === "string" ? summary.method : "";
  const params = typeof summary.tool === "string" ? { name: summary.tool } : {};
  switch (summary.kind) {
    case "request":
      return { kind: "request", id: id ?? { raw: "?", key: "?" }, method, params, value: {} };
    case "notification":
      return { kind: "notification", method, params, value: {} };
    case "response":
      return { kind: "response", id: id ?? { raw: "?", key: "?" }, result: undefined, value: {} };
    case "error": {
      const error = (summary.error ?? {}) as Rec;
      return {
        kind: "error",
        id: id ?? null,
        error: { code: error.code, message: error.message },
        value: {},
      };
    }
    case "batch": {
      const items = Array.isArray(summary.items) ? summary.items : [];
      return {
        kind: "batch",
        items: items.map((item) => messageOf(typeof item === "object" && item ? item : {})),
        value: [],
      };
    }
    default:
      return {
        kind: "invalid",
        reason: typeof summary.reason === "string" ? summary.reason : text(summary.kind),
        text: "",
      };
  }
}

/** A response's request, as the record links it (`request_seq`, `method`, `tool`, latency). */
function correlationOf(record: Rec): MessageEvent["correlation"] {
  if (typeof record.request_seq !== "number") return undefined;
  return {
    request: {
      id: { raw: "", key: "" },
      seq: record.request_seq,
      method: typeof record.method === "string" ? record.method : "",
      tool: typeof record.tool === "string" ? record.tool : undefined,
      startedAt: 0,
      cancelled: record.cancelled === true,
    },
    latencyMs: typeof record.latency_ms === "number" ? record.latency_ms : 0,
  };
}

function decisionOf(result: unknown): DecisionSummary | undefined {
  if (typeof result !== "object" || result === null) return undefined;
  const r = result as Rec;
  const applied = r.applied as DecisionSummary["applied"];
  return {
    action: r.action as DecisionSummary["action"],
    applied,
    reasons: Array.isArray(r.reasons) ? r.reasons.map(text) : [],
    rules: Array.isArray(r.rules) ? r.rules.map(text) : [],
    risk: typeof r.risk === "number" ? r.risk : 0,
    labels: Array.isArray(r.labels) ? r.labels.map(text) : [],
    revision: "",
    evalUs: 0,
  };
}
