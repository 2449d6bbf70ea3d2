/**
 * The tool catalogue: the servers km pinned definitions for (`GET /api/pins`) and, for the one
 * open, each tool, prompt and resource template with its labels and calls; a definition seen
 * differing from its pin is highlighted with its changed fields side by side (pinned, seen),
 * the labels the change adds, and Accept, which makes it the pin (`POST /api/pins/<id>/accept`,
 * as `km pins accept`).
 */
import { useEffect, useState } from "preact/hooks";
import type {
  PinItem,
  PinServer,
  PinServerDetail,
  StatsReport,
} from "../../src/dashboard/api_types.ts";
import type { ListKind } from "../../src/pins/definition.ts";
import { acceptPins, getPins, getPinServer, getStats } from "../api.ts";
import { formatCount, shortId } from "../format.ts";
import { useApi } from "../hooks.ts";
import type { Live } from "../live.ts";
import type { Query, Route } from "../router.ts";
import { Chips } from "./badges.tsx";
import { ApiErrorBox, EmptyState, Loading } from "./notice.tsx";

const KIND_TITLES: Record<ListKind, string> = {
  tools: "Tools",
  prompts: "Prompts",
  resource_templates: "Resource templates",
};
const KINDS: readonly ListKind[] = ["tools", "prompts", "resource_templates"];

/** A server's name for people: the name km gave it, else the one it reports. */
export function serverLabel(server: PinServer): string {
  return server.km_name || server.server_name || shortId(server.id);
}

/** A field's value as text: strings as they are, anything else as JSON; absent: an em dash. */
export function fieldText(value: unknown): string {
  if (value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

export function Tools({ query, live, now: _now, navigate }: {
  query: Query;
  live: Live;
  now: number;
  navigate(route: Route, replace?: boolean): void;
}) {
  const list = useApi((signal) => getPins(signal), [live.epoch]);
  const servers = list.data?.servers ?? [];
  const chosen = servers.find((s) => s.id === query.server) ??
    servers.find((s) => s.changed_total > 0) ?? servers[0];
  // A session that pins or sees a change rewrites a pin file: read the catalogue again.
  const { subscribe } = live;
  const { reload } = list;
  useEffect(() =>
    subscribe((batch) => {
      if (batch.some((r) => r.type === "lifecycle" && r.event?.startsWith("definitions_"))) {
        reload();
      }
    }), [subscribe, reload]);

  return (
    <section class="view" aria-label="Tools">
      {list.error !== undefined && <ApiErrorBox error={list.error} onRetry={list.reload} />}
      {list.data === undefined && list.error === undefined && <Loading what="pinned tools" />}
      {list.data !== undefined && servers.length === 0 && (
        <EmptyState title="No pinned tools yet">
          <p>
            km pins each tool, prompt and resource template the first time a server lists it, in
            {" "}
            <code>pins/</code> of its data folder, and shows here what changed since.
          </p>
        </EmptyState>
      )}
      {servers.length > 0 && (
        <section class="panel">
          <h3 class="panel-title">
            Servers <span class="panel-sub">with pinned definitions</span>
          </h3>
          <table class="grid" data-testid="pins-servers">
            <thead>
              <tr>
                <th>Server</th>
                <th>Reports itself as</th>
                <th>Command</th>
                <th class="num">Pinned</th>
                <th class="num">Changed</th>
              </tr>
            </thead>
            <tbody>
              {servers.map((s) => (
                <tr
                  key={s.id}
                  data-server={s.id}
                  class={s.id === chosen?.id ? "row-selected" : undefined}
                >
                  <td class="strong">
                    <a
                      href={`#/tools?server=${s.id}`}
                      onClick={(e) => {
                        e.preventDefault();
                        navigate({ view: "tools", query: { server: s.id } });
                      }}
                    >
                      {serverLabel(s)}
                    </a>{" "}
                    <span class="mono faint" title={s.id}>{shortId(s.id)}</span>
                  </td>
                  <td>{s.server_name || <span class="faint">none</span>}</td>
                  <td class="mono ellipsis src" title={s.command.join(" ")}>
                    {s.command.join(" ")}
                  </td>
                  <td class="num">{KINDS.reduce((n, k) => n + s.pinned[k], 0)}</td>
                  <td class="num">
                    {s.changed_total > 0
                      ? <span class="badge badge-warn">{s.changed_total}</span>
                      : <span class="faint">0</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {chosen && <ServerCatalogue key={chosen.id} server={chosen} onChange={list.reload} />}
    </section>
  );
}

function ServerCatalogue({ server, onChange }: { server: PinServer; onChange(): void }) {
  const detail = useApi((signal) => getPinServer(server.id, signal), [server.id, server]);
  const stats = useApi((signal) => getStats({}, signal), [server.id]);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(undefined);
  const accept = async (body: { kind?: ListKind; name?: string }) => {
    setBusy(true);
    setFailure(undefined);
    try {
      await acceptPins(server.id, body);
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
      onChange();
      detail.reload();
    }
  };
  return (
    <section class="panel" data-testid="pins-server" data-server={server.id}>
      <h3 class="panel-title">
        {serverLabel(server)} <span class="panel-sub mono">{server.id}</span>
        <span class="spacer" />
        {server.changed_total > 0 && (
          <button
            type="button"
            class="btn btn-small"
            disabled={busy}
            data-testid="pin-accept-all"
            onClick={() => accept({})}
            title="Make every definition seen the pin (km pins accept)"
          >
            Accept all {server.changed_total}
          </button>
        )}
      </h3>
      {failure !== undefined && <ApiErrorBox error={failure} />}
      {detail.error !== undefined && <ApiErrorBox error={detail.error} onRetry={detail.reload} />}
      {detail.data === undefined && detail.error === undefined && <Loading what="definitions" />}
      {detail.data !== undefined && (
        <CatalogueBody
          detail={detail.data}
          stats={stats.data}
          busy={busy}
          onAccept={(item) => accept({ kind: item.kind, name: item.name })}
        />
      )}
    </section>
  );
}

/** Calls of a tool in the statistics, by the names the server's sessions may carry. */
function callsOf(stats: StatsReport | undefined, server: PinServer, tool: string) {
  if (!stats) return undefined;
  const names = new Set([server.km_name, server.server_name].filter(Boolean));
  const rows = stats.tools.filter((t) => t.tool === tool && names.has(t.server));
  return rows.length === 0 ? undefined : rows.reduce((n, t) => n + t.calls, 0);
}

function CatalogueBody({ detail, stats, busy, onAccept }: {
  detail: PinServerDetail;
  stats?: StatsReport;
  busy: boolean;
  onAccept(item: PinItem): void;
}) {
  return (
    <div class="pins-kinds">
      {KINDS.filter((k) => detail.items[k].length > 0).map((kind) => (
        <div key={kind} class="pins-kind" data-kind={kind}>
          <h4 class="pins-kind-title">
            {KIND_TITLES[kind]} <span class="faint">{detail.items[kind].length}</span>
          </h4>
          <ul class="pins-items">
            {detail.items[kind].map((item) => (
              <PinRow
                key={`${kind}/${item.name}`}
                item={item}
                calls={kind === "tools" ? callsOf(stats, detail.server, item.name) : undefined}
                busy={busy}
                onAccept={onAccept}
              />
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}

function PinRow({ item, calls, busy, onAccept }: {
  item: PinItem;
  calls?: number;
  busy: boolean;
  onAccept(item: PinItem): void;
}) {
  const change = item.change;
  const description = item.definition?.description;
  return (
    <li
      class={`pin-item${change ? " pin-changed" : ""}`}
      data-testid="pin-item"
      data-kind={item.kind}
      data-name={item.name}
      data-changed={change ? "true" : "false"}
    >
      <div class="pin-head">
        <span class="mono strong">{item.name}</span>
        {change && <span class="badge badge-warn">changed</span>}
        <Chips items={item.labels} mono />
        <span class="spacer" />
        {calls !== undefined && (
          <span class="muted" title="calls in the statistics">{formatCount(calls)} calls</span>
        )}
        <span class="muted" title={`pinned ${item.hash}`}>pinned {item.first_seen}</span>
      </div>
      {typeof description === "string" && <div class="pin-desc muted">{description}</div>}
      {change && (
        <div class="pin-change" data-testid="pin-change">
          <div class="pin-change-head">
            <span>
              seen <span class="muted">{change.seen_at}</span>
            </span>
            <span>
              labels added:{" "}
              <span data-testid="pin-added-labels">
                <Chips items={change.added_labels} mono />
              </span>
            </span>
            <span class="spacer" />
            <button
              type="button"
              class="btn btn-small btn-approve"
              disabled={busy}
              data-testid="pin-accept"
              title="Make the definition seen the pin (km pins accept)"
              onClick={() => onAccept(item)}
            >
              Accept
            </button>
          </div>
          <table class="grid pin-diff" data-testid="pin-diff">
            <thead>
              <tr>
                <th>Field</th>
                <th>Pinned (before)</th>
                <th>Seen (after)</th>
              </tr>
            </thead>
            <tbody>
              {change.changed.map((f, i) => (
                <tr key={`${f.field}-${i}`} data-field={f.field}>
                  <td class="mono">{f.field === "" ? "(whole definition)" : f.field}</td>
                  <td>
                    <pre class="code pin-before">{fieldText(f.before)}</pre>
                  </td>
                  <td>
                    <pre class="code pin-after">{fieldText(f.after)}</pre>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </li>
  );
}
