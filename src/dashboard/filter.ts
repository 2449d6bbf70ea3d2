/**
 * The record filter: parsed from query parameters, applied to summaries. Pure and free of Deno
 * APIs, so the server and the browser (live feed) filter exactly alike.
 */
import type { Direction } from "../jsonrpc/correlation.ts";
import type { RecordedAction } from "../decision_summary.ts";
import type { RecordFilter, RecordSummary } from "./api_types.ts";

const DIRECTIONS: readonly Direction[] = ["client_to_server", "server_to_client"];
const TYPES = ["message", "stderr", "lifecycle"] as const;
const ACTIONS: readonly RecordedAction[] = ["allow", "deny", "ask", "transform", "error"];
const TEXT_KEYS = ["session", "server", "kind", "method", "tool", "q"] as const;

/** The parameter names a filter understands. */
export const FILTER_KEYS: readonly string[] = [
  ...TEXT_KEYS,
  "direction",
  "type",
  "decision",
  "risk",
];

/** Parses a filter; unknown values give an error that names the parameter and what is expected. */
export function parseFilter(
  params: URLSearchParams,
): { filter: RecordFilter } | { error: string } {
  const filter: Record<string, unknown> = {};
  for (const key of TEXT_KEYS) {
    const value = params.get(key);
    if (value === null || value === "") continue;
    if (value.length > 500) return { error: `"${key}" must be at most 500 characters` };
    filter[key] = value;
  }
  const choices: [string, readonly string[]][] = [
    ["direction", DIRECTIONS],
    ["type", TYPES],
    ["decision", ACTIONS],
  ];
  for (const [key, allowed] of choices) {
    const value = params.get(key);
    if (value === null || value === "") continue;
    if (!allowed.includes(value)) {
      return { error: `"${key}" must be one of ${allowed.join(", ")}; got "${value}"` };
    }
    filter[key] = value;
  }
  const risk = params.get("risk");
  if (risk !== null && risk !== "") {
    const n = Number(risk);
    if (!/^\d+(\.\d+)?$/.test(risk) || n > 10) {
      return { error: `"risk" must be a number from 0 to 10; got "${risk}"` };
    }
    filter.risk = n;
  }
  return { filter: filter as RecordFilter };
}

/** Writes a filter back as query parameters (empty values left out). */
export function filterParams(filter: RecordFilter): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  return params;
}

/** Whether a summary passes every condition of the filter. */
export function matches(s: RecordSummary, f: RecordFilter): boolean {
  if (f.session !== undefined && s.session !== f.session) return false;
  if (f.server !== undefined && s.server !== f.server) return false;
  if (f.direction !== undefined && s.direction !== f.direction) return false;
  if (f.type !== undefined && s.type !== f.type) return false;
  if (f.kind !== undefined && s.kind !== f.kind) return false;
  if (f.method !== undefined && s.method !== f.method) return false;
  if (f.tool !== undefined && s.tool !== f.tool) return false;
  if (f.decision !== undefined && s.action !== f.decision) return false;
  if (f.risk !== undefined && (s.risk ?? 0) < f.risk) return false;
  if (f.q !== undefined) {
    const needle = f.q.toLowerCase();
    const hay = [s.method, s.tool, s.preview, s.server, s.event, ...(s.reasons ?? [])];
    if (!hay.some((h) => h !== undefined && h.toLowerCase().includes(needle))) return false;
  }
  return true;
}
