/**
 * The header: product name, the view tabs (the approvals tab with its count of pending
 * approvals), the live indicator and the record count.
 */
import type { Hello } from "../../src/dashboard/api_types.ts";
import type { LiveStatus } from "../api.ts";
import { formatCount } from "../format.ts";

export interface Tab {
  readonly id: "activity" | "approvals" | "sessions" | "stats" | "policy" | "tools";
  readonly label: string;
  readonly href: string;
  /** A number shown beside the label (`<id>-badge`), highlighted when above zero. */
  readonly count?: number;
  /** The tab's tooltip. */
  readonly title?: string;
}

const STATUS_TEXT: Record<LiveStatus | "signed-out", string> = {
  "signed-out": "Not signed in",
  connecting: "Connecting…",
  open: "Live",
  reconnecting: "Reconnecting…",
};

export function Header(
  { tabs, active, status, signedOut, recordCount, hello }: {
    tabs: readonly Tab[];
    active?: Tab["id"];
    status: LiveStatus;
    /** The API answered 401: the stream cannot connect until the page is opened with the token. */
    signedOut: boolean;
    recordCount?: number;
    hello?: Hello;
  },
) {
  const shown = signedOut && status !== "open" ? "signed-out" : status;
  const statusTitle = shown === "open"
    ? "Connected: new records appear as km writes them"
    : shown === "signed-out"
    ? "Not signed in: run `km ui --open`, or open the signIn address of ui.json"
    : "The live stream is down; retrying";
  return (
    <header class="header">
      <a class="brand" href="#/" title="Kilometers: a security proxy for MCP servers">
        <span class="brand-mark">km</span>
        <span class="brand-text">Kilometers</span>
      </a>
      <nav class="tabs" aria-label="Views">
        {tabs.map((tab) => (
          <a
            key={tab.id}
            href={tab.href}
            class={`tab${tab.id === active ? " tab-active" : ""}`}
            aria-current={tab.id === active ? "page" : undefined}
            data-testid={`nav-${tab.id}`}
            title={tab.title}
          >
            {tab.label}
            {tab.count !== undefined && (
              <span
                class={`nav-count${tab.count > 0 ? " nav-count-active" : ""}`}
                data-testid={`${tab.id}-badge`}
              >
                {tab.count}
              </span>
            )}
          </a>
        ))}
      </nav>
      <div class="header-right">
        <span
          class={`live live-${shown}`}
          title={statusTitle}
          data-testid="live-indicator"
          data-status={shown}
        >
          <span class="live-dot" aria-hidden="true" />
          {STATUS_TEXT[shown]}
        </span>
        <span
          class="record-count"
          title={hello ? `km ${hello.version} · reading ${hello.logDir}` : undefined}
          data-testid="record-count"
        >
          {recordCount === undefined ? "" : `${formatCount(recordCount)} records`}
        </span>
      </div>
    </header>
  );
}
