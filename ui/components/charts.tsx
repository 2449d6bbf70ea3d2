/**
 * Two small SVG bar charts over the stats timeline: calls (with errors) and decisions (stacked).
 * Hand-written: a chart library would outweigh the whole dashboard. Colours come from CSS
 * classes, so both themes apply.
 */
import type { TimeBucket } from "../../src/dashboard/api_types.ts";
import { formatCompact, formatCount, formatDuration, pad } from "../format.ts";

const W = 640;
const H = 170;
const M = { top: 10, right: 8, bottom: 22, left: 38 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;

interface Series {
  readonly key: keyof TimeBucket;
  readonly label: string;
  readonly cls: string;
}

const CALL_SERIES: readonly Series[] = [
  { key: "calls", label: "calls", cls: "s-calls" },
  { key: "errors", label: "errors", cls: "s-errors" },
];

const DECISION_SERIES: readonly Series[] = [
  { key: "allow", label: "allow", cls: "s-allow" },
  { key: "transform", label: "transform", cls: "s-transform" },
  { key: "ask", label: "ask", cls: "s-ask" },
  { key: "deny", label: "deny", cls: "s-deny" },
];

/** The smallest 1, 2 or 5 × 10ⁿ at or above `n` (at least 1), for the y axis. */
export function niceMax(n: number): number {
  if (n <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

function tickLabel(t: number, spanMs: number, bucketMs: number): string {
  const d = new Date(t);
  const seconds = bucketMs < 60_000 ? `:${pad(d.getSeconds())}` : "";
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}${seconds}`;
  if (spanMs < 86_400_000) return time;
  return `${d.getMonth() + 1}/${d.getDate()} ${time}`;
}

/** Calls per bucket, errors overlaid in red. */
export function CallsChart(
  { timeline, bucketMs }: { timeline: readonly TimeBucket[]; bucketMs: number },
) {
  return (
    <Chart
      testid="chart-calls"
      title="Calls over time"
      timeline={timeline}
      bucketMs={bucketMs}
      series={CALL_SERIES}
      stacked={false}
    />
  );
}

/** Decisions per bucket, stacked: allow, transform, ask, deny. */
export function DecisionsChart(
  { timeline, bucketMs }: { timeline: readonly TimeBucket[]; bucketMs: number },
) {
  return (
    <Chart
      testid="chart-decisions"
      title="Decisions over time"
      timeline={timeline}
      bucketMs={bucketMs}
      series={DECISION_SERIES}
      stacked
    />
  );
}

function Chart(
  { testid, title, timeline, bucketMs, series, stacked }: {
    testid: string;
    title: string;
    timeline: readonly TimeBucket[];
    bucketMs: number;
    series: readonly Series[];
    /** Stacked bars; otherwise every series is drawn from the baseline (errors over calls). */
    stacked: boolean;
  },
) {
  const value = (b: TimeBucket, s: Series) => Number(b[s.key]) || 0;
  const totals = timeline.map((b) =>
    stacked ? series.reduce((sum, s) => sum + value(b, s), 0) : value(b, series[0])
  );
  const max = niceMax(Math.max(0, ...totals));
  const t0 = timeline[0]?.t ?? 0;
  const tLast = timeline[timeline.length - 1]?.t ?? 0;
  const step = bucketMs > 0 ? bucketMs : 1;
  const slots = Math.max(timeline.length, Math.round((tLast - t0) / step) + 1, 1);
  const slotW = PLOT_W / slots;
  const barW = Math.max(1, slotW * 0.72);
  const y = (v: number) => M.top + PLOT_H - (v / max) * PLOT_H;
  const empty = totals.every((t) => t === 0);
  const legendTotals = series.map((s) => timeline.reduce((sum, b) => sum + value(b, s), 0));

  return (
    <figure class="chart" data-testid={testid}>
      <figcaption class="chart-head">
        <span class="chart-title">{title}</span>
        <span class="legend">
          {series.map((s, i) => (
            <span key={s.key} class="legend-item">
              <span class={`swatch ${s.cls}`} />
              {s.label} <span class="muted">{formatCount(legendTotals[i])}</span>
            </span>
          ))}
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        class="chart-svg"
        role="img"
        aria-label={`${title}, ${formatDuration(step)} per bar`}
      >
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line class="grid-line" x1={M.left} x2={W - M.right} y1={y(max * f)} y2={y(max * f)} />
            <text class="axis" x={M.left - 6} y={y(max * f) + 4} text-anchor="end">
              {formatCompact(max * f)}
            </text>
          </g>
        ))}
        {timeline.map((b, i) => {
          const slot = Math.round((b.t - t0) / step);
          const x = M.left + slot * slotW + (slotW - barW) / 2;
          let base = 0;
          const tip = `${tickLabel(b.t, tLast - t0, step)} (${formatDuration(step)}): ` +
            series.map((s) => `${value(b, s)} ${s.label}`).join(", ");
          return (
            <g key={b.t}>
              <title>{tip}</title>
              <rect
                class="hover"
                x={M.left + slot * slotW}
                y={M.top}
                width={slotW}
                height={PLOT_H}
              />
              {series.map((s) => {
                const v = value(b, s);
                if (v === 0) return null;
                const from = stacked ? base : 0;
                if (stacked) base += v;
                return (
                  <rect
                    key={s.key}
                    class={`bar ${s.cls}`}
                    x={x}
                    width={barW}
                    y={y(from + v)}
                    height={Math.max(1, y(from) - y(from + v))}
                  />
                );
              })}
              {i === 0 || i === timeline.length - 1 || i === Math.floor(timeline.length / 2)
                ? (
                  <text
                    class="axis"
                    x={M.left + slot * slotW + slotW / 2}
                    y={H - 6}
                    text-anchor={i === 0 ? "start" : i === timeline.length - 1 ? "end" : "middle"}
                  >
                    {tickLabel(b.t, tLast - t0, step)}
                  </text>
                )
                : null}
            </g>
          );
        })}
        <line class="axis-line" x1={M.left} x2={W - M.right} y1={y(0)} y2={y(0)} />
        {empty && (
          <text class="axis" x={M.left + PLOT_W / 2} y={M.top + PLOT_H / 2} text-anchor="middle">
            No calls in this range
          </text>
        )}
      </svg>
    </figure>
  );
}
