/**
 * The dashboard's HTTP API: the shapes `km ui` serves and the Preact app reads. Types only, so
 * the browser bundle can import them without pulling in server code.
 *
 * Routes (all under the token; see docs/dashboard.md):
 * - `GET /api/records?<RecordFilter>&before=<cursor>&limit=<1..1000>` → {@link RecordPage}
 * - `GET /api/records/<session>/<seq>` → {@link RecordDetail}
 * - `GET /api/sessions` → {@link SessionList}
 * - `GET /api/stats?session=&server=&tool=&since=` → {@link StatsReport}
 * - `GET /api/policy` → {@link PolicyReport}
 * - `GET /api/approvals` → {@link ApprovalList}
 * - `POST /api/approvals/<id>` with {@link AnswerBody} → 202 {@link AnswerAccepted}; 404 when
 *   the approval is unknown or already answered; same-origin requests only.
 * - `GET /api/pins` → {@link PinServerList}; `GET /api/pins/<id>` → {@link PinServerDetail}
 * - `POST /api/pins/<id>/accept` with {@link PinAcceptBody} → {@link PinAccepted}; same-origin
 *   requests only, like answering an approval.
 * - `GET /api/events` → server-sent events: `record` ({@link RecordSummary}),
 *   `session` ({@link SessionSummary}), `approval` ({@link PendingApproval}: a new pending
 *   approval), `approval_done` ({@link ApprovalDone}) and `hello` ({@link Hello}) first.
 *
 * The approval shapes (PendingApproval, ApprovalDone, ApprovalAnswer, …) are the approval
 * room's: src/approval/types.ts. Direction is the JSON-RPC layer's (src/jsonrpc/correlation.ts),
 * and a record's action is the relay's decision summary's (RecordedAction, src/relay/events.ts).
 */

import type { ApprovalAnswer, PendingApproval } from "../approval/types.ts";
import type { Direction } from "../jsonrpc/correlation.ts";
import type { RecordedAction } from "../decision_summary.ts";
import type { ListKind } from "../pins/definition.ts";
import type { FieldChange } from "../pins/diff.ts";

/** One audit record, summarised for lists: no bodies. */
export interface RecordSummary {
  /** `<session>/<seq>`: unique, and the cursor for paging. */
  readonly key: string;
  readonly session: string;
  readonly seq: number;
  /** Epoch milliseconds. */
  readonly ts: number;
  readonly type: "message" | "stderr" | "lifecycle";
  /** The session's server name (from its start record). */
  readonly server: string;
  readonly direction?: Direction;
  /** Message kind: request, notification, response, error, batch, invalid, oversized. */
  readonly kind?: string;
  /** Lifecycle event name. */
  readonly event?: string;
  readonly method?: string;
  /** The JSON-RPC id's JSON text. */
  readonly id?: string;
  readonly tool?: string;
  /** For responses: the seq of their request. */
  readonly requestSeq?: number;
  /** For requests: the seq of their response, once seen. */
  readonly responseSeq?: number;
  readonly latencyMs?: number;
  /** Bytes on the wire. */
  readonly size?: number;
  readonly forwarded?: boolean;
  /** `km` for a line km wrote itself (its answer to a blocked call, its approval questions). */
  readonly origin?: "km";
  readonly action?: RecordedAction;
  /** What km did: forward, transform, block, drop, audit. */
  readonly applied?: string;
  /** 0–10, from the policy. */
  readonly risk?: number;
  readonly labels?: readonly string[];
  readonly reasons?: readonly string[];
  readonly errorCode?: number;
  readonly errorMessage?: string;
  /**
   * The approval this record belongs to: a held message (`result.approval_id`), or an
   * `approval_requested` / `approval_resolved` lifecycle record (`approval_id`).
   */
  readonly approvalId?: string;
  /** A one-line summary of the content (arguments, result text, stderr line, event), ≤ 200 chars. */
  readonly preview: string;
}

/** Query parameters of `/api/records`; every one optional, all combined with AND. */
export interface RecordFilter {
  readonly session?: string;
  readonly server?: string;
  readonly direction?: Direction;
  readonly type?: "message" | "stderr" | "lifecycle";
  readonly kind?: string;
  readonly method?: string;
  readonly tool?: string;
  /** A decision action. */
  readonly decision?: RecordedAction;
  /** Minimum risk, 0–10. */
  readonly risk?: number;
  /** Case-insensitive text searched in method, tool, preview, reasons and server. */
  readonly q?: string;
}

export interface RecordPage {
  /** Newest first. */
  readonly records: readonly RecordSummary[];
  /** Records matching the filter in all. */
  readonly total: number;
  /** Pass as `before` for the next (older) page; absent on the last page. */
  readonly next?: string;
}

export interface RecordDetail {
  readonly summary: RecordSummary;
  /** The whole audit record as written (already redacted). */
  readonly record: Record<string, unknown>;
  /** For a request or a response: the request's and the response's records. */
  readonly request?: Record<string, unknown>;
  readonly response?: Record<string, unknown>;
  /** Stderr lines of the same session within ±2 s of the record, oldest first. */
  readonly stderr: readonly RecordSummary[];
  /** For a record with an `approvalId`: that approval's lifecycle records, as written. */
  readonly approval?: {
    readonly requested?: Record<string, unknown>;
    readonly resolved?: Record<string, unknown>;
  };
}

export interface Counts {
  readonly messages: number;
  readonly requests: number;
  readonly responses: number;
  readonly errors: number;
  readonly notifications: number;
  readonly denials: number;
  readonly asks: number;
  readonly stderr: number;
}

export interface SessionSummary {
  readonly id: string;
  /** The log file's name. */
  readonly file: string;
  readonly server: string;
  readonly command: readonly string[];
  readonly cwd?: string;
  readonly client?: { readonly name: string; readonly version: string };
  readonly protocolVersion?: string;
  readonly startedAt: number;
  readonly endedAt?: number;
  /** True until the session's shutdown record (and its km process is alive). */
  readonly live: boolean;
  readonly exitCode?: number | null;
  readonly shutdownReason?: string;
  readonly policy?: PolicyRef;
  readonly counts: Counts;
}

export interface SessionList {
  /** Newest first. */
  readonly sessions: readonly SessionSummary[];
}

export interface PolicyRef {
  readonly source: string;
  readonly revision: string;
  readonly mode: string;
}

/**
 * A call is a request from the client (for a server: of any method; for a tool: its tools/call).
 * Errors, latency and bytes come from the responses to those calls.
 */
export interface CallTotals {
  readonly calls: number;
  readonly errors: number;
  readonly denials: number;
  readonly p50Ms?: number;
  readonly p95Ms?: number;
  /** Bytes of the responses. */
  readonly bytes: number;
  /** Estimated tokens of the responses (bytes / 4): the context-window cost. */
  readonly tokens: number;
}

export interface ToolStats extends CallTotals {
  readonly server: string;
  readonly tool: string;
}

export interface ServerStats extends CallTotals {
  readonly server: string;
  readonly sessions: number;
}

/** `calls` and `errors` count calls as in {@link CallTotals}; the decisions count every message. */
export interface TimeBucket {
  /** Start of the bucket, epoch ms. */
  readonly t: number;
  readonly calls: number;
  readonly errors: number;
  readonly allow: number;
  readonly deny: number;
  readonly ask: number;
  readonly transform: number;
}

export interface StatsReport {
  readonly servers: readonly ServerStats[];
  readonly tools: readonly ToolStats[];
  readonly bucketMs: number;
  /** Oldest first; at most 60 buckets. */
  readonly timeline: readonly TimeBucket[];
}

export interface PolicyEvent {
  readonly session: string;
  readonly server: string;
  readonly ts: number;
  readonly event: "policy_reloaded" | "policy_reload_failed";
  readonly source: string;
  readonly revision?: string;
  readonly previous?: string;
  readonly error?: string;
  readonly kept?: string;
}

export interface PolicyReport {
  readonly sessions: readonly {
    readonly session: string;
    readonly server: string;
    readonly startedAt: number;
    readonly live: boolean;
    readonly policy?: PolicyRef;
  }[];
  /** Newest first. */
  readonly events: readonly PolicyEvent[];
}

/** The first server-sent event: what the dashboard serves. */
export interface Hello {
  readonly version: string;
  readonly logDir: string;
  readonly records: number;
}

/** An error body: every 4xx/5xx from the API. */
export interface ApiError {
  readonly error: string;
}

export interface ApprovalList {
  /** Oldest first. */
  readonly approvals: readonly PendingApproval[];
}

/** Body of `POST /api/approvals/<id>`. */
export interface AnswerBody {
  readonly answer: ApprovalAnswer;
}

export interface AnswerAccepted {
  readonly id: string;
  readonly answer: ApprovalAnswer;
}

/** A server with pins, as `GET /api/pins` lists it (src/pins/manage.ts, summarize). */
export interface PinServer {
  /** The server identity's id (its pin file's name). */
  readonly id: string;
  readonly command: readonly string[];
  /** The name the server reports (`serverInfo.name`). */
  readonly server_name: string;
  /** The name the latest km session gave it (`--name`). */
  readonly km_name?: string;
  readonly pinned: Readonly<Record<ListKind, number>>;
  /** Definitions last seen differing from their pins, per kind. */
  readonly changed: Readonly<Record<ListKind, number>>;
  /** All kinds' changes. */
  readonly changed_total: number;
  readonly last_change?: string;
  readonly last_pinned?: string;
}

/** `GET /api/pins`. */
export interface PinServerList {
  readonly servers: readonly PinServer[];
  /** Pin files that could not be read, left out. */
  readonly skipped: readonly string[];
}

/** A definition seen differing from its pin. */
export interface PinChange {
  readonly seen_at: string;
  readonly hash: string;
  /** The definition seen; absent when it was too large to keep. */
  readonly definition?: Record<string, unknown>;
  /** The fields that differ (src/pins/manage.ts, changesOf). */
  readonly changed: readonly FieldChange[];
  /** Labels of the definition seen. */
  readonly labels: readonly string[];
  /** Labels the change adds. */
  readonly added_labels: readonly string[];
}

/** One pinned tool, prompt or resource template. */
export interface PinItem {
  readonly kind: ListKind;
  readonly name: string;
  readonly hash: string;
  readonly first_seen: string;
  /** The pinned definition; absent when it was too large to keep. */
  readonly definition?: Record<string, unknown>;
  /** The detectors' labels of the pinned definition. */
  readonly labels: readonly string[];
  readonly change?: PinChange;
}

/** `GET /api/pins/<id>`: items per kind, by name. */
export interface PinServerDetail {
  readonly server: PinServer;
  readonly items: Readonly<Record<ListKind, readonly PinItem[]>>;
}

/** `POST /api/pins/<id>/accept`: one item (`kind` and `name`), a kind, a name, or `{}` for all. */
export interface PinAcceptBody {
  readonly kind?: ListKind;
  readonly name?: string;
}

/** The answer of an accept: what became the pins. */
export interface PinAccepted {
  readonly id: string;
  readonly accepted: readonly {
    readonly kind: ListKind;
    readonly name: string;
    readonly hash: string;
    readonly added_labels: readonly string[];
  }[];
}
