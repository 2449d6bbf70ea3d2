/**
 * A call's approval, in its detail: what km asked (reasons, timeout, channels) and how it ended
 * (outcome, channel, who, latency, what km did), read from the `approval_requested` and
 * `approval_resolved` lifecycle records, with links between the held message and those records.
 */
import type { RecordDetail } from "../../src/dashboard/api_types.ts";
import { formatDateTime, formatDuration } from "../format.ts";
import { APPROVALS_HREF, callRoute, formatRoute } from "../router.ts";
import { Chips, OutcomeBadge } from "./badges.tsx";
import { JsonTree } from "./json_tree.tsx";
import { visibleText } from "../../src/visible_text.ts";

type AuditRecord = Record<string, unknown>;

/** The approval request as written by km. */
export interface Requested {
  readonly seq?: number;
  readonly ts?: number;
  readonly reasons: readonly string[];
  readonly rules: readonly string[];
  readonly timeoutMs?: number;
  readonly expiresAt?: number;
  readonly channels: readonly string[];
  readonly argsHash?: string;
}

/** How the approval ended, as written by km. */
export interface Resolved {
  readonly seq?: number;
  readonly ts?: number;
  readonly outcome?: string;
  readonly channel?: string;
  readonly by?: string;
  readonly latencyMs?: number;
  /** What km did with the held message: forward, block, or none (withdrawn). */
  readonly applied?: string;
  /** Why it ended that way, when no person decided (e.g. no channel could ask). */
  readonly reason?: string;
  /** How each channel ended, e.g. `{dashboard: "answered", client: "withdrawn"}`. */
  readonly channels: readonly string[];
}

export interface ApprovalInfo {
  readonly id?: string;
  /** The seq of the held message. */
  readonly heldSeq?: number;
  readonly requested?: Requested;
  readonly resolved?: Resolved;
}

/**
 * The approval of a record's detail, or undefined when the record has none. Field names follow
 * the audit log (snake_case); camelCase spellings are read too, and fields km did not write are
 * left out, so the panel shows what there is.
 */
export function approvalInfo(detail: RecordDetail): ApprovalInfo | undefined {
  const approval = detail.approval;
  if (approval === undefined) return undefined;
  const req = approval.requested;
  const res = approval.resolved;
  const s = detail.summary;
  const heldSeq = num(field(req, "request_seq", "requestSeq")) ??
    num(field(res, "request_seq", "requestSeq")) ??
    (s.type === "message" && (s.applied === "hold" || s.applied === "input_required")
      ? s.seq
      : undefined);
  const requestedTs = time(req?.timestamp);
  const expiresAt = time(field(req, "expires_at", "expiresAt"));
  return {
    id: str(field(req, "approval_id", "approvalId")) ??
      str(field(res, "approval_id", "approvalId")) ??
      s.approvalId,
    heldSeq,
    requested: req && {
      seq: num(req.seq),
      ts: requestedTs,
      reasons: strings(req.reasons),
      rules: strings(req.rules),
      timeoutMs: num(field(req, "timeout_ms", "timeoutMs")) ??
        (expiresAt !== undefined && requestedTs !== undefined
          ? expiresAt - requestedTs
          : undefined),
      expiresAt,
      channels: strings(req.channels),
      argsHash: str(field(req, "args_hash", "argsHash")),
    },
    resolved: res && {
      seq: num(res.seq),
      ts: time(res.timestamp),
      outcome: str(res.outcome),
      channel: str(res.channel),
      by: str(res.by),
      latencyMs: num(field(res, "latency_ms", "latencyMs")),
      applied: str(res.applied),
      reason: str(res.reason),
      channels: channelStates(res.channels),
    },
  };
}

/** Links to the approval's other records: the held message and the lifecycle records. */
export function approvalLinks(
  info: ApprovalInfo,
  session: string,
  currentSeq: number,
): { label: string; href: string }[] {
  const links: { label: string; seq?: number }[] = [
    { label: "Held message", seq: info.heldSeq },
    { label: "Approval requested", seq: info.requested?.seq },
    { label: "Approval resolved", seq: info.resolved?.seq },
  ];
  return links
    .filter((l): l is { label: string; seq: number } => l.seq !== undefined && l.seq !== currentSeq)
    .map((l) => ({ label: `${l.label} #${l.seq}`, href: formatRoute(callRoute(session, l.seq)) }));
}

export function ApprovalPanel(
  { detail, info, pending }: {
    detail: RecordDetail;
    info: ApprovalInfo;
    /** Whether the approval is pending now (from the dashboard's live list). */
    pending: boolean;
  },
) {
  const { requested, resolved } = info;
  const s = detail.summary;
  const links = approvalLinks(info, s.session, s.seq);
  // Another message of the session that this approval let through ("Approve for this session").
  const granted = s.type === "message" && s.kind === "request" && info.heldSeq !== undefined &&
    info.heldSeq !== s.seq;
  const records: Record<string, unknown> = {};
  if (detail.approval?.requested) records.approval_requested = detail.approval.requested;
  if (detail.approval?.resolved) records.approval_resolved = detail.approval.resolved;
  return (
    <section class="panel approval-panel" data-testid="approval-panel">
      <h3 class="panel-title">
        Approval
        {info.id && <span class="panel-sub mono">{info.id}</span>}
        <span class="spacer" />
        {resolved
          ? <OutcomeBadge outcome={resolved.outcome} />
          : pending && <span class="badge badge-waiting">waiting</span>}
      </h3>
      {granted && (
        <div class="approval-status">
          Forwarded without asking again: this approval, for message #{info.heldSeq}, covered the
          {" "}
          same tool with the same arguments for the rest of the session.
        </div>
      )}
      {!resolved && (
        <div class={`approval-status${pending ? " approval-status-waiting" : ""}`}>
          {pending
            ? (
              <>
                <strong>Waiting for approval.</strong> km holds the message until someone answers
                {" "}
                or the time runs out. <a href={APPROVALS_HREF}>Answer it in Approvals →</a>
              </>
            )
            : requested
            ? "Not resolved in the log yet: the approval may have just ended, or its session " +
              "stopped before km wrote how it ended."
            : "km wrote no approval records for this message."}
        </div>
      )}
      <div class="pair approval-pair">
        <table class="kv-table">
          <thead>
            <tr>
              <th colSpan={2}>Requested</th>
            </tr>
          </thead>
          <tbody>
            {requested
              ? (
                <>
                  <tr>
                    <th scope="row">Time</th>
                    <td>{requested.ts === undefined ? "—" : formatDateTime(requested.ts)}</td>
                  </tr>
                  <tr>
                    <th scope="row">Reasons</th>
                    <td>
                      {requested.reasons.length > 0
                        ? (
                          <ul class="reasons reasons-ask">
                            {requested.reasons.map((r, i) => <li key={i}>{visibleText(r)}</li>)}
                          </ul>
                        )
                        : <span class="faint">none</span>}
                    </td>
                  </tr>
                  {requested.rules.length > 0 && (
                    <tr>
                      <th scope="row">Rules</th>
                      <td>
                        <Chips items={requested.rules} mono />
                      </td>
                    </tr>
                  )}
                  <tr>
                    <th scope="row">Timeout</th>
                    <td>{formatDuration(requested.timeoutMs) || "—"}</td>
                  </tr>
                  <tr>
                    <th scope="row">Channels</th>
                    <td>
                      <Chips items={requested.channels} mono />
                    </td>
                  </tr>
                  {requested.argsHash && (
                    <tr>
                      <th scope="row">Arguments hash</th>
                      <td class="mono" title={`sha256 ${requested.argsHash}`}>
                        {requested.argsHash.slice(0, 12)}
                      </td>
                    </tr>
                  )}
                </>
              )
              : (
                <tr>
                  <td colSpan={2} class="faint">No approval_requested record.</td>
                </tr>
              )}
          </tbody>
        </table>
        <table class="kv-table">
          <thead>
            <tr>
              <th colSpan={2}>Resolved</th>
            </tr>
          </thead>
          <tbody>
            {resolved
              ? (
                <>
                  <tr>
                    <th scope="row">Outcome</th>
                    <td>
                      <OutcomeBadge outcome={resolved.outcome} />
                      {resolved.outcome && <span class="mono muted">{resolved.outcome}</span>}
                    </td>
                  </tr>
                  <Kv label="Channel" value={resolved.channel} mono />
                  <Kv label="By" value={resolved.by} />
                  <Kv label="Latency" value={formatDuration(resolved.latencyMs)} />
                  <Kv label="km applied" value={resolved.applied} mono />
                  {resolved.reason && <Kv label="Reason" value={resolved.reason} />}
                  {resolved.channels.length > 0 && (
                    <tr>
                      <th scope="row">Channels</th>
                      <td>
                        <Chips items={resolved.channels} mono />
                      </td>
                    </tr>
                  )}
                  <Kv
                    label="Time"
                    value={resolved.ts === undefined ? undefined : formatDateTime(resolved.ts)}
                  />
                </>
              )
              : (
                <tr>
                  <td colSpan={2} class="faint">{pending ? "Not yet." : "Not recorded."}</td>
                </tr>
              )}
          </tbody>
        </table>
      </div>
      {links.length > 0 && (
        <div class="approval-links">
          {links.map((l) => <a key={l.href} href={l.href}>{l.label} →</a>)}
        </div>
      )}
      {Object.keys(records).length > 0 && (
        <details class="meta">
          <summary>Approval records</summary>
          <div class="panel-pad">
            <JsonTree value={records} openDepth={2} label="Approval records" />
          </div>
        </details>
      )}
    </section>
  );
}

function Kv({ label, value, mono }: { label: string; value?: string; mono?: boolean }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td class={mono ? "mono" : undefined}>{value || <span class="faint">—</span>}</td>
    </tr>
  );
}

function field(record: AuditRecord | undefined, ...names: string[]): unknown {
  if (record === undefined) return undefined;
  for (const name of names) if (record[name] !== undefined) return record[name];
  return undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** `{dashboard: "answered"}` as `["dashboard: answered"]`; a list as it is. */
function channelStates(v: unknown): string[] {
  if (Array.isArray(v)) return strings(v);
  if (v === null || typeof v !== "object") return [];
  return Object.entries(v).map(([k, state]) => `${k}: ${String(state)}`);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** An RFC 3339 text or epoch milliseconds, as epoch milliseconds. */
function time(v: unknown): number | undefined {
  if (typeof v === "number") return num(v);
  if (typeof v !== "string") return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}
