/**
 * Which audit records `km logs` shows: each filter narrows, and they combine with AND. A
 * filter on a message's method, tool or decision matches only records that have one (message
 * records, and lifecycle records about an approval). Pure.
 */
import type { AuditRecord } from "./record.ts";

export interface RecordFilter {
  /** A session id, or its beginning (the 8 characters file names and summaries show). */
  readonly session?: string;
  /** The server's name, as in session file names and the `start` record. */
  readonly server?: string;
  readonly method?: string;
  readonly tool?: string;
  /** A policy action (`deny`, `ask`…) or what km did (`block`, `hold`…). */
  readonly decision?: string;
  /** Epoch ms: records at or after it. */
  readonly since?: number;
}

/** The values `--decision` takes: the recorded `result.action`s and `result.applied`s. */
export const DECISIONS = [
  "allow",
  "deny",
  "ask",
  "transform",
  "error",
  "forward",
  "block",
  "drop",
  "audit",
  "hold",
  "input_required",
  "consume",
] as const;

/** Whether `record`, of a session whose server is `server`, passes every filter given. */
export function matchesRecord(
  record: AuditRecord,
  server: string | undefined,
  filter: RecordFilter,
): boolean {
  if (filter.session !== undefined) {
    const id = record.session_id;
    if (typeof id !== "string" || !id.startsWith(filter.session)) return false;
  }
  if (filter.server !== undefined && server !== filter.server) return false;
  if (filter.method !== undefined && !namedIn(record, "method", filter.method)) return false;
  if (filter.tool !== undefined && !namedIn(record, "tool", filter.tool)) return false;
  if (filter.decision !== undefined && !decided(record, filter.decision)) return false;
  if (filter.since !== undefined) {
    const at = typeof record.timestamp === "string" ? Date.parse(record.timestamp) : NaN;
    if (!(at >= filter.since)) return false;
  }
  return true;
}

/** The record, or one element of its batch, has `value` as its `key`. */
function namedIn(record: AuditRecord, key: "method" | "tool", value: string): boolean {
  if (record[key] === value) return true;
  const items = record.items;
  return Array.isArray(items) &&
    items.some((item) => typeof item === "object" && item !== null && item[key] === value);
}

function decided(record: AuditRecord, decision: string): boolean {
  const result = record.result;
  if (typeof result !== "object" || result === null) return false;
  const { action, applied } = result as Record<string, unknown>;
  return action === decision || applied === decision;
}
