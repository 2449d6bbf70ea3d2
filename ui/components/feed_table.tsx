/** The activity feed's table: one dense row per record, newest first. */
import { Component, type ComponentChildren } from "preact";
import type { RecordSummary } from "../../src/dashboard/api_types.ts";
import { formatBytes, formatDateTime, formatDuration, formatRowTime } from "../format.ts";
import { DecisionBadge, DirectionArrow, KindBadge, RiskBadge } from "./badges.tsx";

export function FeedTable(
  { rows, hrefOf, onOpen, liveKeys, empty }: {
    rows: readonly RecordSummary[];
    /** Shown across the table when there are no rows (loading, or an empty state). */
    empty?: ComponentChildren;
    hrefOf(record: RecordSummary): string;
    onOpen(record: RecordSummary): void;
    /** Keys of rows that arrived live, highlighted once as they appear. */
    liveKeys: ReadonlySet<string>;
  },
) {
  return (
    <div class="table-wrap">
      <table class="grid feed" data-testid="feed-table">
        <colgroup>
          <col class="w-time" />
          <col class="w-server" />
          <col class="w-dir" />
          <col class="w-kind" />
          <col class="w-method" />
          <col class="w-tool" />
          <col class="w-decision" />
          <col class="w-risk" />
          <col class="w-latency" />
          <col class="w-size" />
          <col />
        </colgroup>
        <thead>
          <tr>
            <th>Time</th>
            <th>Server</th>
            <th title="→ client to server, ← server to client">Dir</th>
            <th>Kind</th>
            <th>Method</th>
            <th>Tool</th>
            <th>Decision</th>
            <th class="num" title="Risk score from the policy, 0–10">Risk</th>
            <th class="num">Latency</th>
            <th class="num">Size</th>
            <th>Preview</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && empty !== undefined && (
            <tr class="empty-row">
              <td colSpan={11}>{empty}</td>
            </tr>
          )}
          {rows.map((r) => (
            <FeedRow
              key={r.key}
              record={r}
              href={hrefOf(r)}
              onOpen={onOpen}
              live={liveKeys.has(r.key)}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface RowProps {
  record: RecordSummary;
  href: string;
  live: boolean;
  onOpen(record: RecordSummary): void;
}

/**
 * One row. Records never change once written, so a row re-renders only when it is given another
 * record or link: a live burst into 2,000 rows diffs the new rows only.
 */
class FeedRow extends Component<RowProps> {
  override shouldComponentUpdate(next: RowProps): boolean {
    return next.record !== this.props.record || next.href !== this.props.href ||
      next.live !== this.props.live;
  }

  override render({ record: r, href, live, onOpen }: RowProps) {
    const quiet = r.type !== "message";
    const failed = r.kind === "error" || r.kind === "invalid" || r.kind === "oversized";
    const classes = [
      "row",
      quiet ? `row-quiet row-${r.type}` : "",
      failed ? "row-failed" : "",
      r.action === "deny" || r.action === "error" ? "row-denied" : "",
      r.action === "ask" ? "row-ask" : "",
      live ? "row-live" : "",
    ].filter(Boolean).join(" ");
    return (
      <tr
        class={classes}
        data-testid="feed-row"
        data-key={r.key}
        data-action={r.action ?? ""}
        onClick={(e) => {
          // Let the time link, text selection and modifier clicks behave as usual.
          if ((e.target as Element).closest("a")) return;
          if (getSelection()?.toString()) return;
          onOpen(r);
        }}
      >
        <td class="c-time">
          <a href={href} title={formatDateTime(r.ts)}>{formatRowTime(r.ts, Date.now())}</a>
        </td>
        <td class="c-server ellipsis" title={`${r.server} · session ${r.session}`}>{r.server}</td>
        <td class="c-dir">
          <DirectionArrow direction={r.direction} />
        </td>
        <td class="c-kind">
          <KindBadge record={r} />
        </td>
        <td class="c-method mono ellipsis" title={r.method}>{r.method}</td>
        <td class="c-tool mono ellipsis" title={r.tool}>{r.tool}</td>
        <td class="c-decision">
          <DecisionBadge action={r.action} applied={r.applied} />
        </td>
        <td class="num">
          <RiskBadge risk={r.risk} labels={r.labels} />
        </td>
        <td class="num">{formatDuration(r.latencyMs)}</td>
        <td class="num">{formatBytes(r.size)}</td>
        <td class="c-preview mono ellipsis" title={previewTitle(r)}>
          {r.reasons && r.reasons.length > 0 && <span class="reason">{r.reasons.join("; ")}</span>}
          {r.errorCode !== undefined && <span class="err-code">{r.errorCode}</span>}
          {r.preview}
        </td>
      </tr>
    );
  }
}

function previewTitle(r: RecordSummary): string {
  const parts = [];
  if (r.reasons && r.reasons.length > 0) parts.push(`Reasons: ${r.reasons.join("; ")}`);
  if (r.errorMessage) parts.push(`Error ${r.errorCode ?? ""}: ${r.errorMessage}`);
  parts.push(r.preview);
  return parts.join("\n");
}
