/**
 * The policy decisions of a call, side by side: the request's and the response's (the policy
 * sees both directions). Read from the audit record's `result`, `revision` and `metrics`.
 */
import type { ComponentChildren } from "preact";
import { formatMicros } from "../format.ts";
import { Chips, DecisionBadge, RiskBadge } from "./badges.tsx";
import { visibleText } from "../../src/visible_text.ts";

/** A decision as written in an audit record (docs/audit-log.md, "The policy decision"). */
export interface RecordedDecision {
  readonly action?: string;
  readonly applied?: string;
  readonly reasons?: readonly string[];
  readonly rules?: readonly string[];
  readonly risk?: number;
  readonly labels?: readonly string[];
  readonly error?: string;
  readonly revision?: string;
  readonly evalUs?: number;
  /** The decision was remembered from an earlier message with the same policy input. */
  readonly cached?: boolean;
  readonly decisionId?: string;
}

/** The decision of an audit record, or undefined when no policy was evaluated. */
export function decisionOf(
  record: Record<string, unknown> | undefined,
): RecordedDecision | undefined {
  const result = record?.result;
  if (result === null || typeof result !== "object") return undefined;
  const r = result as Record<string, unknown>;
  const metrics = record?.metrics as Record<string, unknown> | undefined;
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined;
  return {
    action: typeof r.action === "string" ? r.action : undefined,
    applied: typeof r.applied === "string" ? r.applied : undefined,
    reasons: strings(r.reasons),
    rules: strings(r.rules),
    risk: typeof r.risk === "number" ? r.risk : undefined,
    labels: strings(r.labels),
    error: typeof r.error === "string"
      ? r.error
      : r.error !== undefined
      ? JSON.stringify(r.error)
      : undefined,
    revision: typeof record?.revision === "string" ? record.revision : undefined,
    evalUs: typeof metrics?.eval_us === "number" ? metrics.eval_us : undefined,
    cached: metrics?.cached === true ? true : undefined,
    decisionId: typeof record?.decision_id === "string" ? record.decision_id : undefined,
  };
}

const APPLIED_TEXT: Record<string, string> = {
  forward: "forwarded the bytes received",
  transform: "forwarded a transformed copy",
  block: "blocked, and answered for the other side",
  drop: "dropped silently",
  audit: "forwarded unchanged (audit mode)",
  hold: "held until a person answers (see the approval)",
  consume: "an answer to km's own approval request: read by km, not forwarded",
};

export function DecisionPanel(
  { columns }: { columns: readonly { label: string; decision?: RecordedDecision }[] },
) {
  const shown = columns.filter((c) => c.decision !== undefined);
  // Rows that are empty in every column (no reasons, rules or labels) are left out.
  const any = (list: (d: RecordedDecision) => readonly string[] | undefined) =>
    shown.some((c) => (list(c.decision!)?.length ?? 0) > 0);
  return (
    <section class="panel decision-panel" data-testid="decision-panel">
      <h3 class="panel-title">Policy decision</h3>
      {shown.length === 0
        ? (
          <p class="muted panel-pad">
            No decision recorded: km ran this session without a policy (<code>--no-policy</code>).
          </p>
        )
        : (
          <table class="kv-table">
            <thead>
              <tr>
                <th />
                {shown.map((c) => <th key={c.label}>{c.label}</th>)}
              </tr>
            </thead>
            <tbody>
              <Row label="Action" cols={shown}>
                {(d) => <DecisionBadge action={d.action} applied={d.applied} />}
              </Row>
              <Row label="Applied" cols={shown}>
                {(d) =>
                  d.applied
                    ? (
                      <span>
                        <span class="mono">{d.applied}</span>
                        <span class="muted">{APPLIED_TEXT[d.applied] ?? ""}</span>
                      </span>
                    )
                    : <span class="faint">—</span>}
              </Row>
              {any((d) => d.reasons) && (
                <Row label="Reasons" cols={shown}>
                  {(d) =>
                    d.reasons && d.reasons.length > 0
                      ? (
                        <ul class="reasons">
                          {d.reasons.map((r, i) => <li key={i}>{visibleText(r)}</li>)}
                        </ul>
                      )
                      : <span class="faint">none</span>}
                </Row>
              )}
              {any((d) => d.rules) && (
                <Row label="Rules" cols={shown}>{(d) => <Chips items={d.rules} mono />}</Row>
              )}
              <Row label="Risk" cols={shown}>
                {(d) =>
                  d.risk === undefined
                    ? <span class="faint">—</span>
                    : <RiskBadge risk={d.risk} labels={d.labels} />}
              </Row>
              {any((d) => d.labels) && (
                <Row label="Labels" cols={shown}>{(d) => <Chips items={d.labels} />}</Row>
              )}
              {shown.some((c) => c.decision?.error) && (
                <Row label="Error" cols={shown}>
                  {(d) => d.error ? <pre class="code code-error">{d.error}</pre> : null}
                </Row>
              )}
              <Row label="Revision" cols={shown}>
                {(d) => <span class="mono">{d.revision ?? "—"}</span>}
              </Row>
              <Row label="Evaluation" cols={shown}>
                {(d) => (
                  <span
                    title={d.cached
                      ? "Remembered: an earlier message gave the policy the same input"
                      : undefined}
                  >
                    {formatMicros(d.evalUs) || "—"}
                    {d.cached && <span class="muted">· remembered</span>}
                  </span>
                )}
              </Row>
            </tbody>
          </table>
        )}
    </section>
  );
}

function Row(
  { label, cols, children }: {
    label: string;
    cols: readonly { label: string; decision?: RecordedDecision }[];
    children: (d: RecordedDecision) => ComponentChildren;
  },
) {
  return (
    <tr>
      <th scope="row">{label}</th>
      {cols.map((c) => <td key={c.label}>{children(c.decision!)}</td>)}
    </tr>
  );
}
