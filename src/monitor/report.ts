/**
 * Human-readable text on stderr: one line per message (--verbose) and the exit summary. Both
 * quote what the peers sent (methods, tool names, ids, error messages) and the operator's
 * server name, so every line is passed through `terminalSafe`: a peer cannot act on the
 * terminal or start a line of its own.
 */
import { terminalSafe } from "../diagnostics.ts";
import { type Direction, toolOf } from "../jsonrpc/correlation.ts";
import type { KmMessageEvent, MessageEvent, OversizedEvent } from "../relay/events.ts";
import type { DirectionStats, SessionStats } from "./session_stats.ts";

const ARROW: Record<Direction, string> = { client_to_server: "→", server_to_client: "←" };

/** `→ request tools/call #3 echo (120 B)`, `← response #3 tools/call 2.1 ms (340 B)`. */
export function verboseLine(event: MessageEvent | OversizedEvent | KmMessageEvent): string {
  const parts = [ARROW[event.direction]];
  if ("origin" in event) parts.push("km's own");
  if ("message" in event) {
    const m = event.message;
    parts.push(m.kind);
    if (m.kind === "request" || m.kind === "notification") parts.push(m.method);
    if ((m.kind === "request" || m.kind === "response" || m.kind === "error") && m.id) {
      parts.push(`#${m.id.raw}`);
    }
    const request = event.correlation?.request;
    if (request) parts.push(request.method, ...(request.tool ? [request.tool] : []));
    const taskTool = "tool" in event ? event.tool : undefined;
    if (m.kind === "request") parts.push(toolOf(m.method, m.params) ?? taskTool ?? "");
    if (event.correlation) parts.push(formatMs(event.correlation.latencyMs));
    if (m.kind === "error") parts.push(`error ${String(m.error.code)}: ${String(m.error.message)}`);
    if (m.kind === "invalid") parts.push(`(${m.reason})`);
    if (m.kind === "batch") parts.push(`of ${m.items.length}`);
    const applied = "decision" in event ? event.decision?.applied : undefined;
    if (
      applied === "block" || applied === "drop" || applied === "hold" ||
      applied === "input_required" ||
      applied === "consume"
    ) {
      parts.push(`[${applied}]`);
    } else if (!event.forwarded) parts.push("[not sent: receiver gone]");
  } else {
    parts.push(
      `oversized line of ${formatBytes(event.size)} (limit ${
        formatBytes(event.limit)
      }) [not forwarded]`,
    );
    if (event.reply) parts.push(`[error sent to ${event.reply.to}]`);
  }
  parts.push(`(${formatBytes(event.size)})`);
  return terminalSafe(parts.filter(Boolean).join(" "));
}

export interface SummaryInput {
  readonly sessionId: string;
  readonly serverName: string;
  readonly durationMs: number;
  readonly outcome: string;
  readonly stats: SessionStats;
  readonly logPath: string;
  readonly records: number;
  /** Records that could not be written. */
  readonly recordsLost?: number;
  readonly policy?: { readonly revision: string; readonly mode: string };
}

/** The block printed when a session ends. */
export function summary(input: SummaryInput): string {
  const { stats } = input;
  const p50 = stats.percentile(0.5);
  const p95 = stats.percentile(0.95);
  const lines = [
    `session ${input.sessionId.slice(0, 8)} (${input.serverName}) ended after ${
      formatMs(input.durationMs)
    }: ${input.outcome}`,
    `  client → server: ${directionLine(stats.directions.client_to_server)}`,
    `  server → client: ${directionLine(stats.directions.server_to_client)}`,
    `  latency: ${
      p50 === undefined ? "no responses" : `p50 ${formatMs(p50)}, p95 ${formatMs(p95 ?? p50)}`
    }` +
    (stats.stderrLines
      ? `; server stderr: ${stats.stderrLines} ${stats.stderrLines === 1 ? "line" : "lines"}`
      : ""),
    ...(input.policy
      ? [`  policy ${input.policy.revision} (${input.policy.mode}): ${policyLine(stats)}`]
      : []),
    `  audit log: ${input.logPath} (${input.records} records${
      input.recordsLost ? `; ${input.recordsLost} could not be written` : ""
    })`,
  ];
  return lines.map((l) => `km: ${terminalSafe(l)}\n`).join("");
}

function policyLine(stats: SessionStats): string {
  const { applied, errors, evalUs } = stats.policy;
  const counts = Object.entries(applied).map(([what, n]) => `${n} ${what}`).join(", ") ||
    "no messages";
  const p50 = evalUs.percentile(0.5);
  return `${counts}${errors ? `, ${errors} evaluation errors` : ""}` +
    (p50 === undefined ? "" : `; evaluation p50 ${p50} µs`);
}

function directionLine(d: DirectionStats): string {
  const kinds = Object.entries(d.byKind).map(([kind, n]) => `${n} ${plural(kind, n!)}`).join(", ");
  const dropped = d.dropped ? `; ${d.dropped} not forwarded` : "";
  return `${d.messages} ${d.messages === 1 ? "message" : "messages"}, ${formatBytes(d.bytes)}` +
    (kinds ? ` (${kinds})` : "") + dropped;
}

function plural(kind: string, n: number): string {
  const word = kind === "error"
    ? "error response"
    : kind === "invalid"
    ? "invalid line"
    : kind === "oversized"
    ? "oversized line"
    : kind;
  return n === 1 ? word : word === "batch" ? "batches" : `${word}s`;
}

export function formatMs(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
