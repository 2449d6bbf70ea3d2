/** The sessions view: one row per `km monitor` run; a row opens the feed filtered to it. */
import type { SessionSummary } from "../../src/dashboard/api_types.ts";
import {
  formatCount,
  formatDateTime,
  formatDuration,
  formatWhen,
  relativeTime,
  shortId,
  shortRevision,
} from "../format.ts";
import type { Live } from "../live.ts";
import { activityRoute, formatRoute, type Route } from "../router.ts";
import { LiveBadge } from "./badges.tsx";
import { ApiErrorBox, EmptyState, HowToMonitor, Loading } from "./notice.tsx";

export function Sessions(
  { live, now, navigate }: { live: Live; now: number; navigate(route: Route): void },
) {
  const { sessions, sessionsError } = live;
  if (sessionsError !== undefined && sessions === undefined) {
    return (
      <section class="view">
        <ApiErrorBox error={sessionsError} onRetry={live.reloadSessions} />
      </section>
    );
  }
  if (sessions === undefined) {
    return (
      <section class="view">
        <Loading what="sessions" />
      </section>
    );
  }
  const liveCount = sessions.filter((s) => s.live).length;
  return (
    <section class="view" aria-label="Sessions">
      {sessionsError !== undefined && (
        <ApiErrorBox error={sessionsError} onRetry={live.reloadSessions} />
      )}
      <div class="toolbar">
        <span class="toolbar-text">
          {formatCount(sessions.length)} session{sessions.length === 1 ? "" : "s"}
          {liveCount > 0 && ` · ${liveCount} live`}
        </span>
      </div>
      {sessions.length === 0
        ? (
          <EmptyState title="No sessions yet">
            <HowToMonitor logDir={live.hello?.logDir} />
          </EmptyState>
        )
        : (
          <div class="table-wrap">
            <table class="grid sessions" data-testid="sessions-table">
              <thead>
                <tr>
                  <th>Server</th>
                  <th>Command</th>
                  <th>Client</th>
                  <th>Protocol</th>
                  <th>Started</th>
                  <th>Duration</th>
                  <th class="num">Exit</th>
                  <th class="num" title="Messages, both directions">Messages</th>
                  <th class="num" title="Error responses">Errors</th>
                  <th class="num" title="Messages the policy denied">Denials</th>
                  <th class="num" title="Messages the policy asked approval for">Asks</th>
                  <th class="num" title="Lines the server wrote to stderr">Stderr</th>
                  <th>Policy</th>
                </tr>
              </thead>
              <tbody>
                {sessions.map((s) => (
                  <SessionRow key={s.id} session={s} now={now} navigate={navigate} />
                ))}
              </tbody>
            </table>
          </div>
        )}
    </section>
  );
}

function SessionRow(
  { session: s, now, navigate }: {
    session: SessionSummary;
    now: number;
    navigate(route: Route): void;
  },
) {
  const route = activityRoute({ session: s.id });
  const command = s.command.join(" ");
  const c = s.counts;
  return (
    <tr
      class="row"
      data-testid="session-row"
      data-session={s.id}
      onClick={(e) => {
        if ((e.target as Element).closest("a")) return;
        navigate(route);
      }}
    >
      <td class="strong">
        <a href={formatRoute(route)} title={`Show session ${s.id} in the feed`}>{s.server}</a>
        <div class="sub mono">{shortId(s.id)}</div>
      </td>
      <td class="mono" title={s.cwd ? `${command}\n(in ${s.cwd})` : command}>
        <div class="cmd ellipsis">{command}</div>
      </td>
      <td>
        {s.client
          ? (
            <>
              {s.client.name} <span class="muted">{s.client.version}</span>
            </>
          )
          : <span class="faint">—</span>}
      </td>
      <td class="mono">{s.protocolVersion ?? <span class="faint">—</span>}</td>
      <td title={formatDateTime(s.startedAt)}>
        {formatWhen(s.startedAt, now)}
        <div class="sub">{relativeTime(s.startedAt, now)}</div>
      </td>
      <td>
        {s.live
          ? (
            <>
              <LiveBadge /> <span class="muted">{formatDuration(now - s.startedAt)}</span>
            </>
          )
          : s.endedAt !== undefined
          ? (
            <span title={`Ended ${formatDateTime(s.endedAt)}`}>
              {formatDuration(s.endedAt - s.startedAt)}
            </span>
          )
          : <span class="faint">—</span>}
      </td>
      <td class="num" title={s.shutdownReason}>
        <ExitCode code={s.exitCode} />
      </td>
      <td class="num">{formatCount(c.messages)}</td>
      <td class="num">
        <Count n={c.errors} tone="red" />
      </td>
      <td class="num">
        <Count n={c.denials} tone="red" />
      </td>
      <td class="num">
        <Count n={c.asks} tone="amber" />
      </td>
      <td class="num">
        <Count n={c.stderr} tone="muted" />
      </td>
      <td>
        {s.policy
          ? (
            <span title={`${s.policy.source}\nrevision ${s.policy.revision} · ${s.policy.mode}`}>
              <span class="mono">{shortRevision(s.policy.revision)}</span>
              {s.policy.mode !== "enforce" && <span class="badge mode-badge">{s.policy.mode}</span>}
            </span>
          )
          : <span class="faint">none</span>}
      </td>
    </tr>
  );
}

function Count({ n, tone }: { n: number; tone: "red" | "amber" | "muted" }) {
  if (n === 0) return <span class="faint">0</span>;
  return <span class={`text-${tone}`}>{formatCount(n)}</span>;
}

/** 0 is plain, 128+n (killed by signal n, e.g. 143 after km's SIGTERM) amber, others red. */
function ExitCode({ code }: { code?: number | null }) {
  if (code === undefined || code === null) return <span class="faint">—</span>;
  if (code === 0) return <span>0</span>;
  if (code > 128 && code < 160) {
    return <span class="text-amber" title={`killed by signal ${code - 128}`}>{code}</span>;
  }
  return <span class="text-red">{code}</span>;
}
