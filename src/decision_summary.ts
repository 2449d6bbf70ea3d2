/**
 * What was decided about one message, as the audit log, the dashboard and the reports record
 * it: the policy's action and what km applied (forwarded, blocked, held for a person…). The
 * gate makes it and the relay carries it on each message's event, without reading it; it lives
 * here, beside the other shared helpers, because every room that handles messages reads it.
 */

/**
 * The action a decision summary records: the policy's action (policy/decision.ts `Action`), or
 * `error` when the evaluation failed or the decision was malformed.
 */
export type RecordedAction = "allow" | "deny" | "ask" | "transform" | "error";

/** What the policy decided about one message, for the audit record and the summary. */
export interface DecisionSummary {
  readonly action: RecordedAction;
  /**
   * What km did: sent the bytes received (`forward`), a transformed copy (`transform`), nothing
   * (`block`, with an answer to whoever waits), nothing silently (`drop`), the bytes received
   * while recording what enforcement would have done (`audit`), nothing yet (`hold`: waiting
   * for a person's approval), km's answer in its place asking a person (`input_required`: MCP
   * 2026-07-28, where the client's retry brings the answer), or nothing because the message was
   * km's own business (`consume`: a client's answer to km's approval request).
   */
  readonly applied:
    | "forward"
    | "transform"
    | "block"
    | "drop"
    | "audit"
    | "hold"
    | "input_required"
    | "consume";
  readonly reasons: readonly string[];
  /** Ids of the rules that fired. */
  readonly rules: readonly string[];
  readonly risk: number;
  readonly labels: readonly string[];
  /** Content hash of the policy that decided. */
  readonly revision: string;
  /** Evaluation time in microseconds (for a remembered decision, the time to look it up). */
  readonly evalUs: number;
  /** The decision was remembered from an earlier message with the same input. */
  readonly cached?: true;
  readonly error?: string;
  /**
   * Why km could not be sure the receiver reads the message as km did (integrity.ts codes):
   * present when there was such a doubt, whether it blocked the message or the policy
   * tolerated it.
   */
  readonly integrity?: readonly string[];
  /** The approval that holds the message, or that approved it for the session. */
  readonly approvalId?: string;
}
