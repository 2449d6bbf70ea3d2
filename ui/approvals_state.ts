/**
 * The pending approvals the dashboard shows, kept current by the event stream: a snapshot from
 * `GET /api/approvals` after every (re)connection, `approval` events adding, `approval_done`
 * events removing (into a short list of recently ended ones), and the answers this page sent.
 * Pure: a reducer and formatting, so the merging rules are unit-tested.
 */
import type {
  ApprovalAnswer,
  ApprovalDone,
  ApprovalOutcome,
  PendingApproval,
} from "../src/approval/types.ts";

/** Most recently ended approvals kept for display. */
export const RECENT_CAP = 20;
/** Most ended ids remembered, so a stale snapshot or a late event cannot bring one back. */
export const ENDED_CAP = 500;
/** Under this many milliseconds left, the countdown turns urgent. */
export const URGENT_MS = 10_000;

/** What this page did with an approval: sending an answer, sent it, or failed to. */
export interface AnswerState {
  readonly answer: ApprovalAnswer;
  readonly status: "sending" | "sent" | "failed";
  /** For `failed`: what to tell the person. */
  readonly message?: string;
  /** For `failed`: the server no longer knows the approval (404): answered or expired. */
  readonly gone?: boolean;
}

/** An approval that ended, with what the dashboard knew of it while it was pending. */
export interface EndedApproval {
  readonly done: ApprovalDone;
  /** When the dashboard learnt it ended (epoch ms). */
  readonly at: number;
  /** Absent when it ended before this page saw it pending. */
  readonly approval?: PendingApproval;
  /** The answer this page sent, if any. */
  readonly sent?: ApprovalAnswer;
}

export interface ApprovalsState {
  /** False until the first snapshot arrives. */
  readonly loaded: boolean;
  /** Why the last snapshot failed, if it did (the list shown may be stale). */
  readonly error?: unknown;
  /** Oldest first. */
  readonly pending: readonly PendingApproval[];
  /** Newest first, at most {@link RECENT_CAP}. */
  readonly recent: readonly EndedApproval[];
  /** Answers this page sent, by approval id, while the approval is pending. */
  readonly answers: Readonly<Record<string, AnswerState>>;
  /** Ids known to have ended, newest last, at most {@link ENDED_CAP}. */
  readonly ended: readonly string[];
  /** Counts snapshots asked for: a snapshot of an older sync is stale and ignored. */
  readonly sync: number;
  /** Ids added by events since the current sync began: a snapshot taken earlier lacks them. */
  readonly fresh: readonly string[];
}

export type ApprovalsAction =
  /** A snapshot is being fetched (on every hello, and on demand). */
  | { readonly type: "sync" }
  | {
    readonly type: "loaded";
    readonly sync: number;
    readonly approvals: readonly PendingApproval[];
  }
  | { readonly type: "load_failed"; readonly sync: number; readonly error: unknown }
  | { readonly type: "added"; readonly approval: PendingApproval }
  | { readonly type: "done"; readonly done: ApprovalDone; readonly at: number }
  | { readonly type: "answer"; readonly id: string; readonly state: AnswerState };

export const EMPTY_APPROVALS: ApprovalsState = {
  loaded: false,
  pending: [],
  recent: [],
  answers: {},
  ended: [],
  sync: 0,
  fresh: [],
};

/** Oldest first: by request time, then by id so the order is total. */
export function oldestFirst(a: PendingApproval, b: PendingApproval): number {
  if (a.requestedAt !== b.requestedAt) return a.requestedAt - b.requestedAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function approvalsReducer(state: ApprovalsState, action: ApprovalsAction): ApprovalsState {
  switch (action.type) {
    case "sync":
      return { ...state, sync: state.sync + 1, fresh: [] };
    case "loaded": {
      if (action.sync !== state.sync) return state;
      const ended = new Set(state.ended);
      const byId = new Map<string, PendingApproval>();
      for (const a of action.approvals) if (!ended.has(a.id)) byId.set(a.id, a);
      // Approvals streamed in after the snapshot was asked for may be missing from it.
      const fresh = new Set(state.fresh);
      for (const a of state.pending) if (fresh.has(a.id) && !byId.has(a.id)) byId.set(a.id, a);
      const pending = [...byId.values()].sort(oldestFirst);
      return {
        ...state,
        loaded: true,
        error: undefined,
        pending,
        answers: keep(state.answers, byId),
      };
    }
    case "load_failed":
      return action.sync === state.sync ? { ...state, error: action.error } : state;
    case "added": {
      const a = action.approval;
      if (state.ended.includes(a.id)) return state;
      const pending = [...state.pending.filter((p) => p.id !== a.id), a].sort(oldestFirst);
      return {
        ...state,
        pending,
        fresh: state.fresh.includes(a.id) ? state.fresh : [...state.fresh, a.id],
      };
    }
    case "done": {
      const { done } = action;
      if (state.ended.includes(done.id)) return state;
      const approval = state.pending.find((p) => p.id === done.id);
      const answer = state.answers[done.id];
      const entry: EndedApproval = {
        done,
        at: action.at,
        approval,
        sent: answer !== undefined && answer.status !== "failed" ? answer.answer : undefined,
      };
      const { [done.id]: _gone, ...answers } = state.answers;
      return {
        ...state,
        pending: state.pending.filter((p) => p.id !== done.id),
        recent: [entry, ...state.recent].slice(0, RECENT_CAP),
        answers,
        ended: [...state.ended, done.id].slice(-ENDED_CAP),
        fresh: state.fresh.filter((id) => id !== done.id),
      };
    }
    case "answer":
      // An answer that returns after the approval ended has nothing left to update.
      if (!state.pending.some((p) => p.id === action.id)) return state;
      return { ...state, answers: { ...state.answers, [action.id]: action.state } };
  }
}

function keep(
  answers: Readonly<Record<string, AnswerState>>,
  pending: ReadonlyMap<string, unknown>,
): Readonly<Record<string, AnswerState>> {
  const out: Record<string, AnswerState> = {};
  for (const [id, answer] of Object.entries(answers)) if (pending.has(id)) out[id] = answer;
  return out;
}

/** Whether the approval with this id is pending. */
export function isPending(state: ApprovalsState, id: string | undefined): boolean {
  return id !== undefined && state.pending.some((p) => p.id === id);
}

/** Time left as `m:ss` (`h:mm:ss` past an hour), rounded up; `expired` at or below zero. */
export function formatCountdown(remainingMs: number): string {
  if (!(remainingMs > 0)) return "expired";
  const total = Math.ceil(remainingMs / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${String(m).padStart(2, "0")}:${s}`;
}

/** How a countdown should look: `expired`, `urgent` (under {@link URGENT_MS}) or `normal`. */
export function countdownLevel(remainingMs: number): "expired" | "urgent" | "normal" {
  if (!(remainingMs > 0)) return "expired";
  return remainingMs < URGENT_MS ? "urgent" : "normal";
}

/** The page title, with the number of pending approvals in front while there are any. */
export function titleWithCount(title: string, pending: number): string {
  return pending > 0 ? `(${pending}) ${title}` : title;
}

const ANSWER_TEXT: Record<ApprovalAnswer, string> = {
  approve: "Approve once",
  approve_session: "Approve for this session",
  deny: "Deny",
};

/** A button's words for an answer. */
export function answerText(answer: ApprovalAnswer): string {
  return ANSWER_TEXT[answer];
}

const OUTCOME_TEXT: Record<ApprovalOutcome, string> = {
  approve: "approved once",
  approve_session: "approved for the session",
  deny: "denied",
  timeout: "timed out",
  withdrawn: "withdrawn",
  unavailable: "no approver",
  closed: "session closed",
};

/** How an approval ended, in words; unknown outcomes as written. */
export function outcomeText(outcome: string): string {
  return OUTCOME_TEXT[outcome as ApprovalOutcome] ?? outcome;
}

/** Whether an outcome let the message through: `approved`, `refused`, or `other`. */
export function outcomeTone(outcome: string): "approved" | "refused" | "other" {
  if (outcome === "approve" || outcome === "approve_session") return "approved";
  if (outcome === "deny" || outcome === "timeout") return "refused";
  return "other";
}
