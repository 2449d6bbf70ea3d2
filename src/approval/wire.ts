/**
 * The approval link between `km monitor` and `km ui`: one WebSocket per monitor session, opened
 * by the monitor to `ws://127.0.0.1:<port>/api/monitor` with `Authorization: Bearer <token>`
 * (the token of the dashboard's discovery file). JSON text frames, one message each.
 *
 * The monitor says which approvals are pending and how each ended; the dashboard relays the
 * answers people give. The monitor decides: an answer for an approval that already ended is
 * ignored. When the socket closes, the dashboard drops that session's pending approvals.
 */
import type { ApprovalAnswer, ApprovalDone, PendingApproval } from "../ui/api_types.ts";

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

const ANSWERS: readonly ApprovalAnswer[] = ["approve", "approve_session", "deny"];

export function isApprovalAnswer(value: unknown): value is ApprovalAnswer {
  return ANSWERS.includes(value as ApprovalAnswer);
}

/** Parses a frame from the dashboard; undefined for anything else. */
export function parseDashboardFrame(text: string): DashboardFrame | undefined {
  try {
    const value = JSON.parse(text);
    if (
      value?.type === "answer" && typeof value.id === "string" && isApprovalAnswer(value.answer) &&
      typeof value.by === "string"
    ) return { type: "answer", id: value.id, answer: value.answer, by: value.by };
  } catch {
    // Not JSON: ignored like any other unknown frame.
  }
  return undefined;
}

/** Parses a frame from a monitor; undefined for anything else. */
export function parseMonitorFrame(text: string): MonitorFrame | undefined {
  try {
    const value = JSON.parse(text);
    switch (value?.type) {
      case "hello":
        return typeof value.session === "string" && typeof value.server === "string" &&
            typeof value.pid === "number"
          ? value
          : undefined;
      case "pending":
        return typeof value.approval?.id === "string" &&
            typeof value.approval?.session === "string"
          ? value
          : undefined;
      case "done":
        return typeof value.done?.id === "string" ? value : undefined;
    }
  } catch {
    // Not JSON.
  }
  return undefined;
}
