/**
 * The policy view: the policy each session loaded (source, revision, mode) and the reload
 * events, with OPA's error for a reload that failed and the revision km kept.
 */
import { useEffect } from "preact/hooks";
import type { PolicyEvent, PolicyReport } from "../../src/dashboard/api_types.ts";
import { getPolicy } from "../api.ts";
import { formatDateTime, formatWhen, relativeTime, shortId } from "../format.ts";
import { useApi } from "../hooks.ts";
import type { Live } from "../live.ts";
import { activityRoute, formatRoute } from "../router.ts";
import { LiveBadge } from "./badges.tsx";
import { ApiErrorBox, EmptyState, HowToMonitor, Loading } from "./notice.tsx";

export function Policy({ live, now }: { live: Live; now: number }) {
  const report = useApi((signal) => getPolicy(signal), [live.epoch]);
  // A reload or a new session changes what this view shows: fetch again when one streams in.
  const { subscribe } = live;
  const { reload } = report;
  useEffect(() =>
    subscribe((batch) => {
      if (
        batch.some((r) =>
          r.type === "lifecycle" && (r.event?.startsWith("policy_") || r.event === "start")
        )
      ) {
        reload();
      }
    }), [subscribe, reload]);

  return (
    <section class="view" aria-label="Policy">
      {report.error !== undefined && <ApiErrorBox error={report.error} onRetry={report.reload} />}
      {report.data === undefined && report.error === undefined && <Loading what="policies" />}
      {report.data !== undefined && <PolicyBody report={report.data} now={now} live={live} />}
    </section>
  );
}

function PolicyBody({ report, now, live }: { report: PolicyReport; now: number; live: Live }) {
  return (
    <>
      <section class="panel">
        <h3 class="panel-title">
          Loaded policies <span class="panel-sub">per session, newest first</span>
        </h3>
        {report.sessions.length === 0
          ? (
            <EmptyState title="No sessions yet">
              <HowToMonitor logDir={live.hello?.logDir} />
            </EmptyState>
          )
          : (
            <table class="grid" data-testid="policy-sessions">
              <thead>
                <tr>
                  <th>Server</th>
                  <th>Session</th>
                  <th>Started</th>
                  <th>Source</th>
                  <th>Revision</th>
                  <th>Mode</th>
                </tr>
              </thead>
              <tbody>
                {report.sessions.map((s) => (
                  <tr key={s.session} data-session={s.session}>
                    <td class="strong">{s.server}</td>
                    <td>
                      <a class="mono" href={formatRoute(activityRoute({ session: s.session }))}>
                        {shortId(s.session)}
                      </a>{" "}
                      {s.live && <LiveBadge />}
                    </td>
                    <td title={formatDateTime(s.startedAt)}>{formatWhen(s.startedAt, now)}</td>
                    {s.policy
                      ? (
                        <>
                          <td class="mono ellipsis src" title={s.policy.source}>
                            {s.policy.source}
                          </td>
                          <td class="mono">{s.policy.revision}</td>
                          <td>
                            <span class={`badge mode-badge mode-${s.policy.mode}`}>
                              {s.policy.mode}
                            </span>
                          </td>
                        </>
                      )
                      : (
                        <td colSpan={3} class="faint">
                          no policy (<code>--no-policy</code>)
                        </td>
                      )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
      </section>
      <section class="panel" data-testid="policy-events">
        <h3 class="panel-title">
          Reloads <span class="panel-sub">newest first</span>
        </h3>
        {report.events.length === 0
          ? (
            <p class="muted panel-pad">
              No reloads yet. km watches a policy's files and reloads it when they change; a policy
              that fails to load leaves the last good one in force, and both show here.
            </p>
          )
          : (
            <ol class="events">
              {report.events.map((e, i) => (
                <EventItem key={`${e.session}-${e.ts}-${i}`} event={e} now={now} />
              ))}
            </ol>
          )}
      </section>
    </>
  );
}

function EventItem({ event: e, now }: { event: PolicyEvent; now: number }) {
  const ok = e.event === "policy_reloaded";
  return (
    <li class={`event ${ok ? "event-ok" : "event-failed"}`} data-event={e.event}>
      <div class="event-head">
        <span class={`badge ${ok ? "badge-ok" : "badge-error"}`}>
          {ok ? "reloaded" : "reload failed"}
        </span>
        {ok
          ? (
            <span>
              <span class="mono strong">{e.revision ?? "?"}</span>
              <span class="muted">←</span>
              <span class="mono muted">{e.previous ?? "?"}</span>
            </span>
          )
          : (
            <span>
              kept <span class="mono strong">{e.kept ?? "?"}</span>
            </span>
          )}
        <span class="spacer" />
        <span class="muted">
          {e.server} ·{" "}
          <a class="mono" href={formatRoute(activityRoute({ session: e.session }))}>
            {shortId(e.session)}
          </a>{" "}
          · <span title={formatDateTime(e.ts)}>{relativeTime(e.ts, now)}</span>
        </span>
      </div>
      <div class="event-source mono muted">{e.source}</div>
      {!ok && e.error && <pre class="code code-error">{e.error}</pre>}
    </li>
  );
}
