/** Error and empty-state boxes: API errors are shown with their message, never swallowed. */
import type { ComponentChildren } from "preact";
import { ApiFailure } from "../api.ts";

/** An API error (or any error) with an optional retry. */
export function ApiErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const status = error instanceof ApiFailure ? error.status : undefined;
  const title = status === 401
    ? "Access token needed"
    : status === 0
    ? "km ui is not reachable"
    : "The dashboard's API returned an error";
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div class="notice notice-error" role="alert" data-testid="api-error">
      <div class="notice-title">{title}</div>
      <div class="notice-body">
        {status === 401
          ? (
            <span>
              Open the address that <code>km ui</code>{" "}
              printed; it carries the access token (the page then remembers it in a cookie).
            </span>
          )
          : <span class="mono">{message}</span>}
      </div>
      {onRetry && status !== 401 && (
        <button type="button" class="btn btn-small" onClick={onRetry}>Retry</button>
      )}
    </div>
  );
}

/** A helpful empty state: what is missing and how to get it. */
export function EmptyState(
  { title, children }: { title: string; children?: ComponentChildren },
) {
  return (
    <div class="empty">
      <div class="empty-title">{title}</div>
      {children && <div class="empty-body">{children}</div>}
    </div>
  );
}

/** How to record a session, for empty states. */
export function HowToMonitor({ logDir }: { logDir?: string }) {
  return (
    <>
      <p>Put km in front of an MCP server to record its traffic:</p>
      <pre class="code">km monitor -- npx -y @modelcontextprotocol/server-everything</pre>
      <p>
        or, in an MCP client's configuration, use <code>km</code> as the command and{" "}
        <code>["monitor", "--", …the server command]</code>{" "}
        as its arguments. Records appear here live.
        {logDir && (
          <>
            {" "}This dashboard reads <code>{logDir}</code>.
          </>
        )}
      </p>
    </>
  );
}

/** A quiet loading line. */
export function Loading({ what }: { what: string }) {
  return <div class="loading">Loading {what}…</div>;
}
