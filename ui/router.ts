/**
 * Hash routes, so every view and filter is a link: `#/` activity (its filter in the query),
 * `#/approvals`, `#/sessions`, `#/stats?server=…`, `#/policy`, `#/tools?server=<id>`,
 * `#/call/<session>/<seq>?<feed filter>`. Pure: parsing and formatting only; the app owns
 * `location`.
 */
import type { RecordFilter } from "../src/dashboard/api_types.ts";
import { FILTER_KEYS } from "../src/dashboard/filter.ts";

/** Query parameters of a route, in the order they are written. */
export type Query = Readonly<Record<string, string>>;

export type Route =
  | { readonly view: "activity"; readonly query: Query }
  /** The pending approvals, oldest first, and the recently ended ones. */
  | { readonly view: "approvals"; readonly query: Query }
  | { readonly view: "sessions"; readonly query: Query }
  | { readonly view: "stats"; readonly query: Query }
  | { readonly view: "policy"; readonly query: Query }
  /** The tool catalogue: servers with pins, one of them (`server`: its identity id) open. */
  | { readonly view: "tools"; readonly query: Query }
  /** One record; `query` is the feed filter the back link returns to. */
  | {
    readonly view: "call";
    readonly session: string;
    readonly seq: number;
    readonly query: Query;
  }
  | { readonly view: "not_found"; readonly path: string; readonly query: Query };

/** The view names that have a tab. */
export const TABS = ["activity", "approvals", "sessions", "stats", "policy", "tools"] as const;

/** Parses `location.hash` (with or without the leading `#`). Unknown paths give `not_found`. */
export function parseRoute(hash: string): Route {
  const text = hash.startsWith("#") ? hash.slice(1) : hash;
  const mark = text.indexOf("?");
  const path = mark === -1 ? text : text.slice(0, mark);
  const query = parseQuery(mark === -1 ? "" : text.slice(mark + 1));
  const segments = path.split("/").filter((s) => s !== "");
  let parts: string[];
  try {
    parts = segments.map((s) => decodeURIComponent(s));
  } catch {
    return { view: "not_found", path, query };
  }
  if (parts.length === 0) return { view: "activity", query };
  const [head, ...rest] = parts;
  if (rest.length === 0) {
    if (head === "activity") return { view: "activity", query };
    if (
      head === "approvals" || head === "sessions" || head === "stats" || head === "policy" ||
      head === "tools"
    ) return { view: head, query };
  }
  if (head === "call" && rest.length === 2 && /^\d+$/.test(rest[1])) {
    return { view: "call", session: rest[0], seq: Number(rest[1]), query };
  }
  return { view: "not_found", path, query };
}

/** The hash for a route, `#/…`; parameters with empty values are left out. */
export function formatRoute(route: Route): string {
  const query = formatQuery(route.query);
  const suffix = query === "" ? "" : `?${query}`;
  switch (route.view) {
    case "activity":
      return `#/${suffix}`;
    case "call":
      return `#/call/${encodeURIComponent(route.session)}/${route.seq}${suffix}`;
    case "not_found":
      return `#/${route.path.replace(/^\/+/, "")}${suffix}`;
    default:
      return `#/${route.view}${suffix}`;
  }
}

/** The feed route for a filter, with its parameters in a fixed order so links are canonical. */
export function activityRoute(filter: RecordFilter): Route {
  return { view: "activity", query: queryOfFilter(filter) };
}

/** The approvals view's hash. */
export const APPROVALS_HREF = "#/approvals";

/** A call's route, carrying the feed filter to go back to. */
export function callRoute(session: string, seq: number, feedQuery: Query = {}): Route {
  return { view: "call", session, seq, query: feedQuery };
}

/** A filter as route parameters, in {@link FILTER_KEYS} order, empty values left out. */
export function queryOfFilter(filter: RecordFilter): Query {
  const out: Record<string, string> = {};
  const values = filter as Record<string, unknown>;
  for (const key of FILTER_KEYS) {
    const value = values[key];
    if (value !== undefined && value !== null && value !== "") out[key] = String(value);
  }
  return out;
}

function parseQuery(text: string): Query {
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    if (value !== "") out[key] = value;
  }
  return out;
}

function formatQuery(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== "") params.set(key, value);
  }
  return params.toString();
}
