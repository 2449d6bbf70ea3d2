/**
 * The approval link between `km monitor` and `km ui`: one WebSocket per monitor session, opened
 * by the monitor to `ws://127.0.0.1:<port>/api/monitor` with `Authorization: Bearer <token>`
 * (the token of the dashboard's discovery file). JSON text frames, one message each.
 *
 * The monitor says which approvals are pending and how each ended; the dashboard relays the
 * answers people give. The monitor decides: an answer for an approval that already ended is
 * ignored. When the socket closes, the dashboard drops that session's pending approvals.
 */
import type { ApprovalAnswer, ApprovalDone, ApprovalOutcome, PendingApproval } from "./types.ts";
import type { Direction } from "../jsonrpc/correlation.ts";

export const MONITOR_PATH = "/api/monitor";

/** Monitor → dashboard. */
export type MonitorFrame =
  | {
    readonly type: "hello";
    readonly session: string;
    readonly server: string;
    readonly pid: number;
  }
  | { readonly type: "pending"; readonly approval: PendingApproval }
  | { readonly type: "done"; readonly done: ApprovalDone };

/** Dashboard → monitor. */
export type DashboardFrame = {
  readonly type: "answer";
  readonly id: string;
  readonly answer: ApprovalAnswer;
  /** Who answered, in words. */
  readonly by: string;
};

export const ANSWERS: readonly ApprovalAnswer[] = ["approve", "approve_session", "deny"];
const DIRECTIONS: readonly Direction[] = ["client_to_server", "server_to_client"];
const OUTCOMES: readonly ApprovalOutcome[] = [
  "approve",
  "approve_session",
  "deny",
  "timeout",
  "withdrawn",
  "unavailable",
  "closed",
];

export function isApprovalAnswer(value: unknown): value is ApprovalAnswer {
  return ANSWERS.includes(value as ApprovalAnswer);
}

/** Parses a frame from the dashboard; undefined for anything else. */
export function parseDashboardFrame(text: string): DashboardFrame | undefined {
  const value = parseJson(text);
  if (
    value?.type === "answer" && typeof value.id === "string" && isApprovalAnswer(value.answer) &&
    typeof value.by === "string"
  ) return { type: "answer", id: value.id, answer: value.answer, by: value.by };
  return undefined;
}

/**
 * Parses a frame from a monitor; undefined for anything else. Only the frame's type and the ids
 * are checked here: the receiver checks the rest where it matters (`pendingApproval`,
 * `approvalDone`), after what it knows of the connection.
 */
export function parseMonitorFrame(text: string): MonitorFrame | undefined {
  const value = parseJson(text);
  switch (value?.type) {
    case "hello":
      return typeof value.session === "string" && typeof value.server === "string" &&
          typeof value.pid === "number"
        ? value
        : undefined;
    case "pending":
      return typeof value.approval?.id === "string" ? value : undefined;
    case "done":
      return typeof value.done?.id === "string" ? value : undefined;
  }
  return undefined;
}

// deno-lint-ignore no-explicit-any -- checked field by field by the callers
function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

type Fields = Record<string, unknown>;

/**
 * A pending approval of exactly the known fields, or undefined when one is mistyped or a
 * required one missing. Empty lists and a zero risk may be left out.
 */
export function pendingApproval(v: Fields): PendingApproval | undefined {
  const strings = (x: unknown) =>
    x === undefined || (Array.isArray(x) && x.every((s) => typeof s === "string"));
  const ok = typeof v.id === "string" && typeof v.session === "string" &&
    typeof v.server === "string" && DIRECTIONS.includes(v.direction as Direction) &&
    typeof v.method === "string" && (v.tool === undefined || typeof v.tool === "string") &&
    typeof v.argsHash === "string" && strings(v.reasons) && strings(v.rules) &&
    strings(v.labels) && (v.risk === undefined || typeof v.risk === "number") &&
    typeof v.requestSeq === "number" && typeof v.requestedAt === "number" &&
    typeof v.expiresAt === "number" && (v.masked === undefined || maskedList(v.masked));
  if (!ok) return undefined;
  const a = v as unknown as PendingApproval;
  return {
    id: a.id,
    session: a.session,
    server: a.server,
    direction: a.direction,
    method: a.method,
    ...(a.tool !== undefined && { tool: a.tool }),
    ...(a.arguments !== undefined && { arguments: a.arguments }),
    ...(a.masked !== undefined && a.masked.length > 0 && {
      masked: a.masked.map((m) => ({ path: m.path, kind: m.kind, chars: m.chars })),
    }),
    argsHash: a.argsHash,
    reasons: a.reasons ?? [],
    rules: a.rules ?? [],
    risk: a.risk ?? 0,
    labels: a.labels ?? [],
    requestSeq: a.requestSeq,
    requestedAt: a.requestedAt,
    expiresAt: a.expiresAt,
  };
}

/**
 * Whether a value is a list of masked tokens. The page says what was masked: a frame whose list
 * is mistyped is refused rather than shown without it.
 */
function maskedList(x: unknown): boolean {
  return Array.isArray(x) &&
    x.every((m) =>
      typeof m?.path === "string" && typeof m.kind === "string" && typeof m.chars === "number"
    );
}

/** How an approval ended, of exactly the known fields (the session is the connection's). */
export function approvalDone(v: Fields): Omit<ApprovalDone, "session"> | undefined {
  const ok = typeof v.id === "string" && OUTCOMES.includes(v.outcome as ApprovalOutcome) &&
    typeof v.channel === "string" &&
    typeof v.by === "string" && typeof v.latencyMs === "number";
  if (!ok) return undefined;
  const d = v as unknown as ApprovalDone;
  return {
    id: d.id,
    outcome: d.outcome,
    channel: d.channel,
    by: d.by,
    latencyMs: d.latencyMs,
  };
}
