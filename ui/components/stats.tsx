/**
 * The statistics view: totals, calls and decisions over time, and per server and per tool tables
 * (sortable), optionally for one session or server.
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { CallTotals, ServerStats, ToolStats } from "../../src/dashboard/api_types.ts";
import { getStats } from "../api.ts";
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatPercent,
  formatTokens,
} from "../format.ts";
import { useApi, useInterval } from "../hooks.ts";
import type { Live } from "../live.ts";
import { activityRoute, formatRoute, type Query, type Route } from "../router.ts";
import { nextSort, sortRows, type SortSpec } from "../sort.ts";
import { CallsChart, DecisionsChart } from "./charts.tsx";
import { ServerSelect, SessionSelect } from "./scope_selects.tsx";
import { ApiErrorBox, EmptyState, HowToMonitor, Loading } from "./notice.tsx";

/** How often the open statistics refresh themselves. */
const REFRESH_MS = 10_000;

const TOKENS_TITLE =
  "Context-window cost estimate: response bytes ÷ 4, roughly the tokens these results add to the model's context";

export function Stats(
  { query, live, now, navigate }: {
    query: Query;
    live: Live;
    now: number;
    navigate(route: Route, replace?: boolean): void;
  },
) {
  const session = query.session;
  const server = query.server;
  const stats = useApi((signal) => getStats({ session, server }, signal), [session, server]);
  useInterval(stats.reload, REFRESH_MS);
  const sessions = live.sessions ?? [];
  const setScope = (patch: Record<string, string>) =>
    navigate({ view: "stats", query: { ...query, ...patch } }, true);

  const data = stats.data;
  const totals = data ? sum(data.servers) : undefined;

  return (
    <section class="view" aria-label="Statistics">
      <div class="filters">
        <SessionSelect
          testid="stats-session"
          value={session}
          sessions={sessions}
          now={now}
          onChange={(id) => setScope({ session: id })}
        />
        <ServerSelect
          testid="stats-server"
          value={server}
          sessions={sessions}
          onChange={(name) => setScope({ server: name })}
        />
        <span class="spacer" />
        <button type="button" class="btn btn-small" onClick={stats.reload}>
          Refresh
        </button>
      </div>
      {stats.error !== undefined && <ApiErrorBox error={stats.error} onRetry={stats.reload} />}
      {data === undefined && stats.error === undefined && <Loading what="statistics" />}
      {data !== undefined && totals !== undefined && (
        <>
          <div class="tiles">
            <Tile label="Calls" value={formatCount(totals.calls)} />
            <Tile
              label="Errors"
              value={formatCount(totals.errors)}
              note={formatPercent(totals.errors, totals.calls)}
              tone={totals.errors > 0 ? "red" : undefined}
            />
            <Tile
              label="Denials"
              value={formatCount(totals.denials)}
              tone={totals.denials > 0 ? "red" : undefined}
            />
            <Tile label="Bytes returned" value={formatBytes(totals.bytes)} />
            <Tile
              label="≈ Tokens returned"
              value={formatTokens(totals.tokens)}
              note="context-window cost estimate"
              title={TOKENS_TITLE}
            />
          </div>
          <div class="charts">
            <CallsChart timeline={data.timeline} bucketMs={data.bucketMs} />
            <DecisionsChart timeline={data.timeline} bucketMs={data.bucketMs} />
          </div>
          {data.servers.length === 0 && data.tools.length === 0
            ? (
              <EmptyState title="No calls recorded yet">
                <HowToMonitor logDir={live.hello?.logDir} />
              </EmptyState>
            )
            : (
              <>
                <StatsTable
                  testid="stats-servers"
                  title="Servers"
                  rows={data.servers}
                  rowKey={(r) => r.server}
                  first={[
                    {
                      key: "server",
                      label: "Server",
                      value: (r) => r.server,
                      render: (r) => (
                        <a href={formatRoute(activityRoute({ server: r.server }))}>{r.server}</a>
                      ),
                    },
                    {
                      key: "sessions",
                      label: "Sessions",
                      numeric: true,
                      value: (r) => r.sessions,
                      render: (r) => formatCount(r.sessions),
                    },
                  ]}
                />
                <StatsTable
                  testid="stats-tools"
                  title="Tools"
                  rows={data.tools}
                  rowKey={(r) => `${r.server}\u0000${r.tool}`}
                  first={[
                    {
                      key: "tool",
                      label: "Tool",
                      value: (r) => r.tool,
                      render: (r) => (
                        <a
                          class="mono"
                          href={formatRoute(activityRoute({ server: r.server, tool: r.tool }))}
                        >
                          {r.tool}
                        </a>
                      ),
                    },
                    {
                      key: "server",
                      label: "Server",
                      value: (r) => r.server,
                      render: (r) => r.server,
                    },
                  ]}
                />
                <p class="footnote">
                  ≈ Tokens returned is the{" "}
                  <strong>context-window cost estimate</strong>: response bytes ÷ 4. Latencies are
                  from the request passing through km to its response.
                </p>
              </>
            )}
        </>
      )}
    </section>
  );
}

function sum(rows: readonly CallTotals[]): CallTotals {
  const total = { calls: 0, errors: 0, denials: 0, bytes: 0, tokens: 0 };
  for (const r of rows) {
    total.calls += r.calls;
    total.errors += r.errors;
    total.denials += r.denials;
    total.bytes += r.bytes;
    total.tokens += r.tokens;
  }
  return total;
}

function Tile(
  { label, value, note, tone, title }: {
    label: string;
    value: string;
    note?: string;
    tone?: "red";
    title?: string;
  },
) {
  return (
    <div class="tile" title={title}>
      <div class="tile-label">{label}</div>
      <div class={`tile-value${tone ? ` text-${tone}` : ""}`}>{value}</div>
      {note && <div class="tile-note">{note}</div>}
    </div>
  );
}

interface Column<T> {
  readonly key: string;
  readonly label: string;
  readonly title?: string;
  readonly numeric?: boolean;
  value(row: T): number | string | undefined;
  render(row: T): ComponentChildren;
}

function callColumns<T extends CallTotals>(): Column<T>[] {
  return [
    {
      key: "calls",
      label: "Calls",
      numeric: true,
      value: (r) => r.calls,
      render: (r) => formatCount(r.calls),
    },
    {
      key: "errorRate",
      label: "Error rate",
      title: "Error responses ÷ calls",
      numeric: true,
      value: (r) => (r.calls > 0 ? r.errors / r.calls : undefined),
      render: (r) =>
        r.errors === 0 ? <span class="faint">0%</span> : (
          <span
            class={r.errors / r.calls >= 0.1 ? "text-red" : "text-amber"}
            title={`${formatCount(r.errors)} errors`}
          >
            {formatPercent(r.errors, r.calls)}
          </span>
        ),
    },
    {
      key: "denials",
      label: "Denials",
      numeric: true,
      value: (r) => r.denials,
      render: (r) =>
        r.denials === 0
          ? <span class="faint">0</span>
          : <span class="text-red">{formatCount(r.denials)}</span>,
    },
    {
      key: "p50",
      label: "p50",
      title: "Median latency",
      numeric: true,
      value: (r) => r.p50Ms,
      render: (r) => formatDuration(r.p50Ms) || <span class="faint">—</span>,
    },
    {
      key: "p95",
      label: "p95",
      title: "95th percentile latency",
      numeric: true,
      value: (r) => r.p95Ms,
      render: (r) => formatDuration(r.p95Ms) || <span class="faint">—</span>,
    },
    {
      key: "bytes",
      label: "Bytes",
      title: "Bytes of the responses",
      numeric: true,
      value: (r) => r.bytes,
      render: (r) => formatBytes(r.bytes),
    },
    {
      key: "tokens",
      label: "≈ Tokens",
      title: TOKENS_TITLE,
      numeric: true,
      value: (r) => r.tokens,
      render: (r) => formatTokens(r.tokens),
    },
  ];
}

function StatsTable<T extends ServerStats | ToolStats>(
  { testid, title, rows, rowKey, first }: {
    testid: string;
    title: string;
    rows: readonly T[];
    rowKey(row: T): string;
    first: Column<T>[];
  },
) {
  const columns = [...first, ...callColumns<T>()];
  const [sort, setSort] = useState<SortSpec<string>>({ key: "calls", dir: "desc" });
  const column = columns.find((c) => c.key === sort.key) ?? columns[0];
  const sorted = sortRows(rows, (r) => column.value(r), sort.dir);
  return (
    <section class="panel">
      <h3 class="panel-title">
        {title} <span class="panel-sub">{formatCount(rows.length)}</span>
      </h3>
      {rows.length === 0
        ? <p class="muted panel-pad">No calls in this scope.</p>
        : (
          <table class="grid stats" data-testid={testid}>
            <thead>
              <tr>
                {columns.map((c) => {
                  const active = c.key === sort.key;
                  return (
                    <th
                      key={c.key}
                      class={c.numeric ? "num" : undefined}
                      title={c.title}
                      aria-sort={active
                        ? (sort.dir === "asc" ? "ascending" : "descending")
                        : "none"}
                    >
                      <button
                        type="button"
                        class={`sort${active ? " sort-active" : ""}`}
                        data-sort={c.key}
                        onClick={() => setSort(nextSort(sort, c.key, c.numeric === true))}
                      >
                        {c.label}
                        <span class="sort-mark" aria-hidden="true">
                          {active ? (sort.dir === "asc" ? "▲" : "▼") : ""}
                        </span>
                      </button>
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {sorted.map((r) => (
                <tr key={rowKey(r)}>
                  {columns.map((c) => (
                    <td key={c.key} class={c.numeric ? "num" : undefined}>{c.render(r)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
    </section>
  );
}
