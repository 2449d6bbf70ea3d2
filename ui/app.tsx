/**
 * The dashboard: the header, and the view the hash route names. The activity feed stays mounted
 * (hidden) while a call's detail is open, so going back finds the list, its older pages and the
 * scroll position as they were. The number of pending approvals shows on every page: in the
 * header's Approvals tab and in the document title.
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiFailure } from "./api.ts";
import { titleWithCount } from "./approvals_state.ts";
import { Approvals } from "./components/approvals.tsx";
import { CallDetail } from "./components/call_detail.tsx";
import { Feed } from "./components/feed.tsx";
import { Header, type Tab } from "./components/header.tsx";
import { EmptyState } from "./components/notice.tsx";
import { Policy } from "./components/policy.tsx";
import { Sessions } from "./components/sessions.tsx";
import { Stats } from "./components/stats.tsx";
import { Tools } from "./components/tools.tsx";
import { useNow } from "./hooks.ts";
import { useLive } from "./live.ts";
import { APPROVALS_HREF, formatRoute, parseRoute, type Query, type Route } from "./router.ts";

const TITLES: Record<Route["view"], string> = {
  activity: "Activity",
  approvals: "Approvals",
  sessions: "Sessions",
  stats: "Statistics",
  policy: "Policy",
  tools: "Tools",
  call: "Call",
  not_found: "Not found",
};

export function App() {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);

  const navigate = useCallback((next: Route, replace = false) => {
    const hash = formatRoute(next);
    if (replace || location.hash === hash) {
      history.replaceState(null, "", hash);
      setRoute(parseRoute(hash));
    } else {
      location.hash = hash; // hashchange updates the route
    }
  }, []);

  const live = useLive();
  const now = useNow(5000);

  // The feed's filter survives visits to other views and to a call's detail.
  const feedQuery = useRef<Query>({});
  if (route.view === "activity" || route.view === "call") feedQuery.current = route.query;

  useEffect(() => {
    if (route.view !== "activity") scrollTo(0, 0);
  }, [route.view, route.view === "call" ? `${route.session}/${route.seq}` : ""]);
  const pendingCount = live.approvals.pending.length;
  useEffect(() => {
    document.title = titleWithCount(`km · ${TITLES[route.view]}`, pendingCount);
  }, [route.view, pendingCount]);

  const tabs: Tab[] = [
    {
      id: "activity",
      label: "Activity",
      href: formatRoute({ view: "activity", query: feedQuery.current }),
    },
    {
      id: "approvals",
      label: "Approvals",
      href: APPROVALS_HREF,
      // Shown once the list has loaded; a count before then would be a guess.
      count: live.approvals.loaded ? pendingCount : undefined,
      title: pendingCount > 0
        ? `${pendingCount} message${pendingCount === 1 ? "" : "s"} waiting for your answer`
        : "Messages held for a person's approval",
    },
    { id: "sessions", label: "Sessions", href: "#/sessions" },
    { id: "stats", label: "Statistics", href: "#/stats" },
    { id: "policy", label: "Policy", href: "#/policy" },
    {
      id: "tools",
      label: "Tools",
      href: "#/tools",
      title: "The tool catalogue: definitions km pinned per server, and their changes",
    },
  ];
  const active = route.view === "call"
    ? "activity"
    : route.view === "not_found"
    ? undefined
    : route.view;

  return (
    <>
      <Header
        tabs={tabs}
        active={active}
        status={live.status}
        signedOut={live.sessionsError instanceof ApiFailure && live.sessionsError.status === 401}
        recordCount={live.recordCount}
        hello={live.hello}
      />
      <main class="main">
        <Feed
          visible={route.view === "activity"}
          query={feedQuery.current}
          live={live}
          now={now}
          navigate={navigate}
        />
        {route.view === "call" && (
          <CallDetail
            session={route.session}
            seq={route.seq}
            backQuery={route.query}
            live={live}
          />
        )}
        {route.view === "approvals" && <Approvals live={live} now={now} />}
        {route.view === "sessions" && <Sessions live={live} now={now} navigate={navigate} />}
        {route.view === "stats" && (
          <Stats query={route.query} live={live} now={now} navigate={navigate} />
        )}
        {route.view === "policy" && <Policy live={live} now={now} />}
        {route.view === "tools" && (
          <Tools query={route.query} live={live} now={now} navigate={navigate} />
        )}
        {route.view === "not_found" && (
          <section class="view">
            <EmptyState title="Nothing here">
              <p>
                There is no view at <code>#/{route.path}</code>.{" "}
                <a href="#/">
                  Go to the activity feed
                </a>.
              </p>
            </EmptyState>
          </section>
        )}
      </main>
    </>
  );
}
