/**
 * Statistics per server and per tool, and activity over time, computed from summaries. Pure.
 *
 * A call is a request from the client. Its outcome comes from its response: an error response
 * or a result with `isError` counts as an error; latency and bytes are the response's. A denial
 * is a request the policy denied. Tokens are estimated as bytes / 4, the usual rule of thumb for
 * what a response costs the model's context window.
 */
import type { CallTotals, ServerStats, StatsReport, TimeBucket, ToolStats } from "./api_types.ts";
import type { Summary } from "./summarise.ts";

export interface StatsFilter {
  readonly session?: string;
  readonly server?: string;
  readonly tool?: string;
  /** Epoch ms: only records from then on. */
  readonly since?: number;
}

const BUCKET_SIZES = [
  1_000,
  5_000,
  10_000,
  30_000,
  60_000,
  300_000,
  900_000,
  3_600_000,
  21_600_000,
  86_400_000,
  604_800_000,
];
const MAX_BUCKETS = 60;

/** A task's requests whose answers are not its call's answer (tasks/result's is). */
const TASK_POLLS: ReadonlySet<string> = new Set(["tasks/get", "tasks/cancel", "tasks/update"]);

class Acc {
  calls = 0;
  errors = 0;
  denials = 0;
  bytes = 0;
  readonly latencies: number[] = [];
  readonly sessions = new Set<string>();

  constructor(readonly server: string, readonly tool?: string) {}

  result(): CallTotals {
    const sorted = this.latencies.sort((a, b) => a - b);
    return {
      calls: this.calls,
      errors: this.errors,
      denials: this.denials,
      ...(sorted.length > 0 && {
        p50Ms: percentile(sorted, 0.5),
        p95Ms: percentile(sorted, 0.95),
      }),
      bytes: this.bytes,
      tokens: Math.round(this.bytes / 4),
    };
  }
}

/** Statistics of `entries`, which are sorted oldest first. */
export function computeStats(
  entries: readonly { summary: Summary }[],
  f: StatsFilter,
): StatsReport {
  const servers = new Map<string, Acc>();
  const tools = new Map<string, Acc>();
  const selected: Summary[] = [];
  for (const { summary: s } of entries) {
    if (s.type !== "message") continue;
    if (f.session !== undefined && s.session !== f.session) continue;
    if (f.server !== undefined && s.server !== f.server) continue;
    if (f.tool !== undefined && s.tool !== f.tool) continue;
    if (f.since !== undefined && s.ts < f.since) continue;
    selected.push(s);
    const isCall = s.direction === "client_to_server" && s.kind === "request";
    // km's own answer to a call it blocked is a denial (counted with the call), not the
    // server's answer: it says nothing of the server's errors, latency or bytes.
    const isAnswer = s.direction === "server_to_client" && s.requestSeq !== undefined &&
      (s.kind === "response" || s.kind === "error") && s.origin !== "km";
    if (!isCall && !isAnswer) continue;
    const accs = [accFor(servers, s.server)];
    // A tool's row counts its calls and their answers; of a task's messages (which carry the
    // tool too), only the result (tasks/result's answer) counts, as the call's answer.
    const ofCall = isCall ? !s.method?.startsWith("tasks/") : !TASK_POLLS.has(s.method ?? "");
    if (s.tool !== undefined && ofCall) accs.push(accFor(tools, s.server, s.tool));
    for (const acc of accs) {
      acc.sessions.add(s.session);
      if (isCall) {
        acc.calls++;
        if (s.action === "deny") acc.denials++;
        continue;
      }
      if (isFailure(s)) acc.errors++;
      if (s.latencyMs !== undefined) acc.latencies.push(s.latencyMs);
      acc.bytes += s.size ?? 0;
    }
  }
  const serverStats: ServerStats[] = [...servers.values()].map((acc) => ({
    server: acc.server,
    sessions: acc.sessions.size,
    ...acc.result(),
  }));
  const toolStats: ToolStats[] = [...tools.values()].map((acc) => ({
    server: acc.server,
    tool: acc.tool!,
    ...acc.result(),
  }));
  const byCalls = (a: CallTotals, b: CallTotals) => b.calls - a.calls;
  const { bucketMs, timeline } = buildTimeline(selected);
  return {
    servers: serverStats.sort(byCalls),
    tools: toolStats.sort(byCalls),
    bucketMs,
    timeline,
  };
}

function isFailure(s: Summary): boolean {
  return s.kind === "error" || s.errorMessage !== undefined;
}

function buildTimeline(selected: readonly Summary[]): { bucketMs: number; timeline: TimeBucket[] } {
  if (selected.length === 0) return { bucketMs: BUCKET_SIZES[0], timeline: [] };
  const first = selected[0].ts;
  const last = selected[selected.length - 1].ts;
  const bucketMs = BUCKET_SIZES.find((size) => (last - first) / size < MAX_BUCKETS) ??
    BUCKET_SIZES[BUCKET_SIZES.length - 1];
  const start = Math.floor(first / bucketMs) * bucketMs;
  const count = Math.floor((last - start) / bucketMs) + 1;
  const buckets = Array.from({ length: count }, (_, i) => ({
    t: start + i * bucketMs,
    calls: 0,
    errors: 0,
    allow: 0,
    deny: 0,
    ask: 0,
    transform: 0,
  }));
  for (const s of selected) {
    const b = buckets[Math.floor((s.ts - start) / bucketMs)];
    if (s.direction === "client_to_server" && s.kind === "request") b.calls++;
    if (s.requestSeq !== undefined && s.origin !== "km" && isFailure(s)) b.errors++;
    if (s.action === "allow" || s.action === "deny" || s.action === "ask") b[s.action]++;
    else if (s.action === "transform") b.transform++;
  }
  return { bucketMs, timeline: buckets.slice(-MAX_BUCKETS) };
}

function accFor(map: Map<string, Acc>, server: string, tool?: string): Acc {
  const key = tool === undefined ? server : `${server}\u0000${tool}`;
  let acc = map.get(key);
  if (!acc) map.set(key, acc = new Acc(server, tool));
  return acc;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}
