/** Small badges used across the views: decision, risk, kind, direction, live, outcome. */
import type { RecordedAction } from "../../src/decision_summary.ts";
import type { RecordSummary } from "../../src/dashboard/api_types.ts";
import { outcomeText, outcomeTone } from "../approvals_state.ts";
import { directionLabel } from "../format.ts";

const ACTION_TITLES: Record<string, string> = {
  allow: "The policy allowed the message",
  deny: "The policy denied the message",
  ask: "The policy asked a person to approve the message",
  transform: "The policy changed the message before forwarding it",
  error: "The policy evaluation failed or its decision was malformed (km fails closed)",
};

/** What km did that the action alone does not say: a short note in the badge, and why. */
const APPLIED_NOTES: Record<string, { note: string; title: string }> = {
  hold: { note: "held", title: "held until a person answers (see the approval)" },
  consume: {
    note: "km",
    title: "an answer to km's own approval request: km read it and did not forward it",
  },
};

/** An `ask` forwarded without asking: an earlier "Approve for this session" covered it. */
const GRANTED = {
  note: "granted",
  title: "an earlier approval covered this tool with these arguments for the session",
};

/**
 * The policy's action; in audit mode (`applied: audit`) it is marked as not enforced, a message
 * held for approval (`hold`), consumed by km (`consume`) or let through by an earlier approval
 * for the session (an `ask` applied as `forward`) is marked as such.
 */
export function DecisionBadge(
  { action, applied }: { action?: RecordedAction | string; applied?: string },
) {
  if (action === undefined) return null;
  const audit = applied === "audit" && action !== "allow";
  const extra = applied === undefined
    ? undefined
    : action === "ask" && applied === "forward"
    ? GRANTED
    : APPLIED_NOTES[applied];
  const title = `${ACTION_TITLES[action] ?? action}${applied ? `; km: ${applied}` : ""}${
    audit ? " (audit mode: forwarded unchanged)" : extra ? ` (${extra.title})` : ""
  }`;
  const note = audit ? "audit" : extra?.note;
  return (
    <span
      class={`badge decision decision-${action}${audit ? " decision-audit" : ""}${
        applied === "hold" || applied === "consume" || applied === "input_required"
          ? ` decision-${applied}`
          : ""
      }`}
      title={title}
      data-applied={applied}
    >
      {action}
      {note && <span class="badge-note">{note}</span>}
    </span>
  );
}

/** Risk 0–10: red from 7, amber from 4. */
export function RiskBadge({ risk, labels }: { risk?: number; labels?: readonly string[] }) {
  if (risk === undefined) return null;
  const level = risk >= 7 ? "high" : risk >= 4 ? "medium" : risk > 0 ? "low" : "zero";
  const title = `Risk ${risk}/10${labels && labels.length > 0 ? `: ${labels.join(", ")}` : ""}`;
  return <span class={`badge risk risk-${level}`} title={title}>{risk}</span>;
}

/** Lifecycle events that mean something went wrong: they stand out among the quiet rows. */
const ALERT_EVENTS = new Set([
  "spawn_failed",
  "client_gone",
  "server_stdin_closed",
  "kill",
  "pending_abandoned",
  "policy_reload_failed",
]);

/** The record's kind: the message kind, `stderr`, or the lifecycle event. */
export function KindBadge({ record }: { record: RecordSummary }) {
  if (record.type === "stderr") return <span class="badge kind kind-stderr">stderr</span>;
  if (record.type === "lifecycle") {
    const alert = ALERT_EVENTS.has(record.event ?? "");
    // approval_requested / approval_resolved: a person's decision, worth seeing among the rows.
    const approval = record.event?.startsWith("approval_");
    const tone = alert ? "kind-error" : approval ? "kind-approval" : "kind-lifecycle";
    return (
      <span class={`badge kind ${tone}`} title="lifecycle event">
        {record.event}
      </span>
    );
  }
  const kind = record.kind ?? "message";
  return (
    <span
      class={`badge kind kind-${kind}`}
      title={record.origin === "km" ? "written by km itself, not relayed" : undefined}
    >
      {kind}
      {record.origin === "km" && <span class="badge-note">km</span>}
    </span>
  );
}

/** An arrow for the direction: → client to server, ← server to client. */
export function DirectionArrow({ direction }: { direction?: string }) {
  const { arrow, text } = directionLabel(direction);
  if (arrow === "") return null;
  return (
    <span class={`dir dir-${direction === "client_to_server" ? "out" : "in"}`} title={text}>
      {arrow}
    </span>
  );
}

/** The "live" badge of a session still running. */
export function LiveBadge() {
  return <span class="badge live-badge">live</span>;
}

/** Small label chips (policy labels, rule ids). */
export function Chips({ items, mono }: { items?: readonly string[]; mono?: boolean }) {
  if (!items || items.length === 0) return <span class="faint">none</span>;
  return (
    <span class="chips">
      {items.map((item) => <span key={item} class={`chip${mono ? " mono" : ""}`}>{item}</span>)}
    </span>
  );
}

/** How an approval ended: approved (green), denied or timed out (red), or otherwise (quiet). */
export function OutcomeBadge({ outcome }: { outcome?: string }) {
  if (outcome === undefined) return null;
  return (
    <span class={`badge outcome outcome-${outcomeTone(outcome)}`} title={`outcome: ${outcome}`}>
      {outcomeText(outcome)}
    </span>
  );
}
