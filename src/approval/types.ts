/**
 * What human approval is about and how it ends: the shapes the approval broker, its channels
 * (the dashboard's link, wire.ts, and the client's own UI) and the dashboard's API share. Types
 * only, so the dashboard's browser bundle can import them without pulling in server code.
 */
import type { Direction } from "../jsonrpc/correlation.ts";

/** How a person answers an approval request. */
export type ApprovalAnswer = "approve" | "approve_session" | "deny";

/** A secret token left out of the arguments shown for approval. */
export interface MaskedSecret {
  /** Where, e.g. `env.GITHUB_TOKEN`, `args[2]`, or `(the value)`. */
  readonly path: string;
  /** What kind of token, e.g. `jwt`. */
  readonly kind: string;
  /** The length of what was masked. */
  readonly chars: number;
}

/** A message km holds until a person approves it (or the time runs out). */
export interface PendingApproval {
  /** Unique across sessions: `<session>-a<n>`. */
  readonly id: string;
  readonly session: string;
  readonly server: string;
  readonly direction: Direction;
  readonly method: string;
  readonly tool?: string;
  /**
   * The call's arguments (params for other methods) exactly as km will forward them, but for
   * whole recognised secret tokens, each listed in `masked` (src/approval/shown_arguments.ts).
   * Not the audit log's redaction: a person must see everything that would run.
   */
  readonly arguments?: unknown;
  /** The tokens masked in `arguments`: where, what kind, how long. Absent: none. */
  readonly masked?: readonly MaskedSecret[];
  /** sha256 of the canonical arguments: "Approve for this session" covers this tool and hash. */
  readonly argsHash: string;
  readonly reasons: readonly string[];
  readonly rules: readonly string[];
  readonly risk: number;
  readonly labels: readonly string[];
  /** The held message's audit record: `<session>/<requestSeq>`. */
  readonly requestSeq: number;
  /** Epoch milliseconds. */
  readonly requestedAt: number;
  readonly expiresAt: number;
}

/** How a pending approval ended. */
export type ApprovalOutcome = ApprovalAnswer | "timeout" | "withdrawn" | "unavailable" | "closed";

export interface ApprovalDone {
  readonly id: string;
  readonly session: string;
  readonly outcome: ApprovalOutcome;
  /** Where the answer came from: dashboard, client, session_grant, or km itself. */
  readonly channel: string;
  /** Who or what answered, in words (e.g. "dashboard at 127.0.0.1:7411 (Firefox)"). */
  readonly by: string;
  readonly latencyMs: number;
}
