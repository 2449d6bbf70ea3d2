/**
 * One call: the request and its response side by side, the policy's decisions, the approval
 * (for a message held for a person's answer), each message as a JSON tree, and the server's
 * stderr around it.
 */
import type { ComponentChildren } from "preact";
import { useEffect } from "preact/hooks";
import type { RecordDetail, RecordSummary } from "../../src/dashboard/api_types.ts";
import { getRecord } from "../api.ts";
import { isPending } from "../approvals_state.ts";
import {
  directionLabel,
  formatBytes,
  formatClock,
  formatDateTime,
  formatDuration,
  shortId,
} from "../format.ts";
import { useApi } from "../hooks.ts";
import type { Live } from "../live.ts";
import { activityRoute, formatRoute, type Query } from "../router.ts";
import { approvalInfo, ApprovalPanel } from "./approval_panel.tsx";
import { DecisionBadge, KindBadge, RiskBadge } from "./badges.tsx";
import { decisionOf, DecisionPanel, type RecordedDecision } from "./decision_panel.tsx";
import { JsonTree } from "./json_tree.tsx";
import { ApiErrorBox, Loading } from "./notice.tsx";

type AuditRecord = Record<string, unknown>;

export function CallDetail(
  { session, seq, backQuery, live }: {
    session: string;
    seq: number;
    backQuery: Query;
    live: Live;
  },
) {
  const detail = useApi((signal) => getRecord(session, seq, signal), [session, seq]);
  const info = detail.data === undefined ? undefined : approvalInfo(detail.data);
  // An approval still open changes this page when it ends (its approval_resolved record) and
  // when the held call goes on (its response): fetch again when either streams in.
  const open = info !== undefined && info.resolved === undefined;
  const { subscribe } = live;
  const { reload } = detail;
  useEffect(() => {
    if (!open) return;
    return subscribe((batch) => {
      if (
        batch.some((r) =>
          r.session === session &&
          ((info.id !== undefined && r.approvalId === info.id) ||
            (info.heldSeq !== undefined && r.requestSeq === info.heldSeq))
        )
      ) reload();
    });
  }, [open, info?.id, info?.heldSeq, session, subscribe, reload]);
  const back = formatRoute({ view: "activity", query: backQuery });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLInputElement && e.target.offsetParent !== null;
      if (e.key === "Escape" && !typing) location.hash = back;
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [back]);
  return (
    <section class="view detail" data-testid="detail" aria-label="Call detail">
      <div class="detail-top">
        <a class="back" href={back} title="Back to the feed (Esc)">← Activity</a>
      </div>
      {detail.error !== undefined && <ApiErrorBox error={detail.error} onRetry={detail.reload} />}
      {detail.data === undefined && detail.error === undefined && <Loading what="the record" />}
      {detail.data !== undefined && (
        <DetailBody
          detail={detail.data}
          approval={info && (
            <ApprovalPanel
              detail={detail.data}
              info={info}
              pending={isPending(live.approvals, info.id)}
            />
          )}
        />
      )}
    </section>
  );
}

function DetailBody({ detail, approval }: { detail: RecordDetail; approval?: ComponentChildren }) {
  const s = detail.summary;
  const isMessage = s.type === "message";
  const request = detail.request ?? (isMessage && !detail.response ? detail.record : undefined);
  const response = detail.response;
  const pair = detail.request !== undefined || detail.response !== undefined;
  const requestSize = num(detail.request?.size);
  const responseSize = num(detail.response?.size);
  const latency = num(detail.response?.latency_ms) ?? s.latencyMs;
  const sessionHref = formatRoute(activityRoute({ session: s.session }));

  const decisions: { label: string; decision?: RecordedDecision }[] = pair
    ? [
      { label: "Request", decision: decisionOf(detail.request) },
      { label: "Response", decision: decisionOf(detail.response) },
    ]
    : [{ label: "Message", decision: decisionOf(detail.record) }];

  return (
    <>
      <div class="detail-head">
        <h2 class="detail-title">
          {isMessage
            ? (
              <>
                <span class="mono">{s.method ?? s.kind}</span>
                {s.tool && <span class="mono detail-tool">{s.tool}</span>}
              </>
            )
            : <span class="mono">{s.type === "stderr" ? "stderr line" : s.event}</span>}
        </h2>
        <KindBadge record={s} />
        <DecisionBadge action={s.action} applied={s.applied} />
        <RiskBadge risk={s.risk} labels={s.labels} />
      </div>
      <dl class="facts">
        <Fact label="Server">{s.server}</Fact>
        <Fact label="Session">
          <a class="mono" href={sessionHref} title={`Show session ${s.session} in the feed`}>
            {shortId(s.session)}
          </a>
        </Fact>
        <Fact label="Time">{formatDateTime(s.ts)}</Fact>
        {isMessage && <Fact label="Method" mono>{s.method ?? "—"}</Fact>}
        {isMessage && <Fact label="Tool" mono>{s.tool ?? "—"}</Fact>}
        {isMessage && <Fact label="JSON-RPC id" mono>{s.id ?? "—"}</Fact>}
        {pair && <Fact label="Latency">{formatDuration(latency) || "—"}</Fact>}
        {pair
          ? (
            <Fact label="Sizes">
              {formatBytes(requestSize) || "—"} → {formatBytes(responseSize) || "—"}
            </Fact>
          )
          : isMessage && <Fact label="Size">{formatBytes(s.size)}</Fact>}
        <Fact label="Record">
          <span class="mono">{s.key}</span>
        </Fact>
      </dl>
      {approval}
      {isMessage && <DecisionPanel columns={decisions} />}
      {isMessage
        ? (
          <div class={`pair${pair ? "" : " pair-single"}`}>
            <MessageColumn
              testid="detail-request"
              title={pair ? "Request" : titleCase(s.kind ?? "message")}
              record={request}
              selected={request !== undefined && num(request.seq) === s.seq}
              missing="The request is not in the log (the response answers no known request)."
            />
            {pair && (
              <MessageColumn
                testid="detail-response"
                title={responseTitle(response)}
                record={response}
                selected={response !== undefined && num(response.seq) === s.seq}
                missing={noResponse(detail.request)}
              />
            )}
          </div>
        )
        : (
          <section class="panel" data-testid="detail-record">
            <h3 class="panel-title">Audit record</h3>
            <div class="panel-pad">
              <JsonTree value={detail.record} label="Audit record" />
            </div>
          </section>
        )}
      <Stderr lines={detail.stderr} />
    </>
  );
}

/** Why a request has no response record. */
function noResponse(request: AuditRecord | undefined): string {
  const applied = decisionOf(request)?.applied;
  const to = request?.direction === "server_to_client" ? "server" : "client";
  const from = to === "server" ? "client" : "server";
  if (applied === "block") {
    return `km blocked this request: the ${from} never received it, and km answered the ${to} ` +
      `itself with a JSON-RPC error ("Blocked by policy: …"). That answer is not in this log ` +
      `(logs written by an earlier km lack it).`;
  }
  if (applied === "drop") return `km dropped this request silently: the ${from} never received it.`;
  if (applied === "hold") {
    return `km held this request for a person's approval (see Approval above). Once approved, ` +
      `the ${from} receives it and its response appears here; if it is refused or times out, km ` +
      `answers the ${to} itself with a JSON-RPC error, which appears here.`;
  }
  if (applied === "input_required") {
    return `km answered this request itself with its approval question (MCP 2026-07-28: an ` +
      `input_required result; see Approval above). The ${from} never received it; the ${to}'s ` +
      `retry with the person's answer is a request of its own, sent on only when approved.`;
  }
  if (request === undefined) return "No response recorded.";
  return `No response yet: the ${from} has not answered (or the session ended first).`;
}

function responseTitle(response: AuditRecord | undefined): string {
  if (response?.origin === "km") return "km's answer";
  if (response?.kind === "error") return "Error response";
  return "Response";
}

function MessageColumn(
  { testid, title, record, selected, missing }: {
    testid: string;
    title: string;
    record?: AuditRecord;
    selected: boolean;
    missing: string;
  },
) {
  if (record === undefined) {
    return (
      <section class="panel msg" data-testid={testid}>
        <h3 class="panel-title">{title}</h3>
        <p class="muted panel-pad">{missing}</p>
      </section>
    );
  }
  const direction = directionLabel(str(record.direction));
  const decision = decisionOf(record);
  const error = record.error as { code?: number; message?: string } | undefined;
  const { message: _body, raw: _raw, head: _head, tail: _tail, ...meta } = record;
  return (
    <section class={`panel msg${selected ? " msg-selected" : ""}`} data-testid={testid}>
      <h3 class="panel-title">
        {title}
        <span class="panel-sub">
          {[
            direction.text,
            `#${String(record.seq)}`,
            typeof record.timestamp === "string" ? formatClock(Date.parse(record.timestamp)) : "",
            formatBytes(num(record.size)),
          ].filter(Boolean).join(" · ")}
        </span>
        <span class="spacer" />
        {record.origin === "km" && (
          <span class="badge badge-km" title="km wrote this itself; it was not relayed">
            sent by km
          </span>
        )}
        {decision?.applied === "hold"
          ? <span class="badge badge-waiting">held for approval</span>
          : decision?.applied === "input_required"
          ? <span class="badge badge-waiting">asked for approval</span>
          : record.forwarded === false && <span class="badge badge-warn">not forwarded</span>}
        {decision && <DecisionBadge action={decision.action} applied={decision.applied} />}
      </h3>
      {error && (
        <div class="rpc-error">
          <span class="err-code">{error.code}</span> {error.message}
        </div>
      )}
      <div class="panel-pad">
        <Body record={record} />
      </div>
      <details class="meta">
        <summary>Audit record fields</summary>
        <div class="panel-pad">
          <JsonTree value={meta} openDepth={1} label="Audit record fields" />
        </div>
      </details>
    </section>
  );
}

/** The logged body: the JSON-RPC message, an invalid line's text, or an oversized line's ends. */
function Body({ record }: { record: AuditRecord }) {
  const message = record.message;
  if (message !== undefined) {
    let value = message;
    if (typeof message === "string") {
      try {
        value = JSON.parse(message);
      } catch {
        return <pre class="code">{message}</pre>;
      }
    }
    return <JsonTree value={value} label="Message" />;
  }
  if (typeof record.raw === "string") {
    return (
      <>
        <div class="muted small">
          Not JSON-RPC{typeof record.reason === "string" ? `: ${record.reason}` : ""}. The line as
          received:
        </div>
        <pre class="code">{record.raw}</pre>
      </>
    );
  }
  if (typeof record.head === "string" || typeof record.tail === "string") {
    return (
      <>
        <div class="muted small">
          Oversized: {formatBytes(num(record.size))} over the limit of{" "}
          {formatBytes(num(record.limit))}; km logged its ends.
        </div>
        <div class="small muted">First 4 KiB</div>
        <pre class="code">{str(record.head)}</pre>
        <div class="small muted">Last 4 KiB</div>
        <pre class="code">{str(record.tail)}</pre>
      </>
    );
  }
  if (Array.isArray(record.items)) {
    return <JsonTree value={record.items} label="Batch items" />;
  }
  return (
    <p class="muted">
      No body in the log: km ran with <code>--log-bodies metadata</code>.
    </p>
  );
}

function Stderr({ lines }: { lines: readonly RecordSummary[] }) {
  return (
    <section class="panel">
      <h3 class="panel-title">
        Server stderr <span class="panel-sub">within ±2 s</span>
      </h3>
      {lines.length === 0
        ? <p class="muted panel-pad">No stderr lines around this record.</p>
        : (
          <div class="stderr">
            {lines.map((l) => (
              <div key={l.key} class="stderr-line">
                <span class="stderr-time">{formatClock(l.ts)}</span>
                <span class="mono">{l.preview}</span>
              </div>
            ))}
          </div>
        )}
    </section>
  );
}

function Fact(
  { label, children, mono }: { label: string; children: ComponentChildren; mono?: boolean },
) {
  return (
    <div class="fact">
      <dt>{label}</dt>
      <dd class={mono ? "mono" : undefined}>{children}</dd>
    </div>
  );
}

function num(v: unknown): number | undefined {
  return typeof v === "number" ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function titleCase(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
