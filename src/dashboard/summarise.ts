/**
 * Turns one parsed audit record (docs/audit-log.md) into the dashboard's summary of it: the
 * fields lists and filters need, and a one-line preview. Pure.
 */
import type { Direction } from "../jsonrpc/correlation.ts";
import type { RecordedAction } from "../decision_summary.ts";
import type { PolicyEvent, RecordSummary } from "./api_types.ts";

/** A summary the index may still complete (a request learns its response's seq). */
export type Summary = { -readonly [K in keyof RecordSummary]: RecordSummary[K] };

/** What a record says about its session, besides the summary. */
export interface RecordFacts {
  readonly start?: {
    readonly server: string;
    readonly command: readonly string[];
    readonly cwd?: string;
    readonly kmPid?: number;
    readonly policy?: { source: string; revision: string; mode: string };
  };
  readonly client?: { name: string; version: string };
  readonly protocolVersion?: string;
  readonly shutdown?: { readonly exitCode?: number | null; readonly reason?: string };
  readonly serverExit?: number | null;
  /** A reload event, without what the index knows of its session. */
  readonly policyEvent?: Omit<PolicyEvent, "session" | "server" | "ts">;
}

export const PREVIEW_CHARS = 200;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => typeof v === "string" ? v : undefined;
const num = (v: unknown): number | undefined => typeof v === "number" ? v : undefined;

const ACTIONS = new Set(["allow", "deny", "ask", "transform", "error"]);
const COMMON = new Set(["schema", "session_id", "seq", "timestamp", "type", "event"]);

/**
 * Summarises a record, or explains why it is not one (a line that is not an audit record).
 * `server` is known only on a start record; the index fills it in from the session.
 */
export function summarise(
  record: unknown,
  intern: (text: string) => string = (text) => text,
): { summary: Summary; facts: RecordFacts } | { error: string } {
  if (!isObj(record)) return { error: "not a JSON object" };
  const session = str(record.session_id);
  const seq = num(record.seq);
  const type = record.type;
  const ts = Date.parse(str(record.timestamp) ?? "");
  if (!session || seq === undefined || Number.isNaN(ts)) {
    return { error: "missing session_id, seq or timestamp" };
  }
  if (type !== "message" && type !== "stderr" && type !== "lifecycle") {
    return { error: `unknown record type ${JSON.stringify(type)}` };
  }
  const facts = sessionFacts(record);
  const summary: Summary = {
    key: `${session}/${seq}`,
    session: intern(session),
    seq,
    ts,
    type,
    server: intern(facts.start?.server ?? ""),
    preview: "",
  };
  if (type === "message") fillMessage(summary, record, intern);
  else if (type === "stderr") summary.preview = clip(str(record.text) ?? "");
  else {
    summary.event = str(record.event);
    if (summary.event === "approval_requested" || summary.event === "approval_resolved") {
      fillApproval(summary, record, intern);
    }
    summary.preview = clip(lifecyclePreview(record));
  }
  return { summary, facts };
}

/** An approval's lifecycle record names its approval, and what was asked (to filter by tool). */
function fillApproval(s: Summary, r: Obj, intern: (text: string) => string): void {
  s.approvalId = str(r.approval_id);
  const method = str(r.method);
  const tool = str(r.tool);
  if (method !== undefined) s.method = intern(method);
  if (tool !== undefined) s.tool = intern(tool);
  s.risk = num(r.risk);
  if (Array.isArray(r.reasons)) s.reasons = r.reasons.filter((x) => typeof x === "string");
}

function fillMessage(s: Summary, r: Obj, intern: (text: string) => string): void {
  const direction = str(r.direction);
  if (direction === "client_to_server" || direction === "server_to_client") {
    s.direction = direction as Direction;
  }
  const interned = (v: unknown) => typeof v === "string" ? intern(v) : undefined;
  s.kind = interned(r.kind);
  s.method = interned(r.method);
  s.id = str(r.id);
  s.tool = interned(r.tool);
  s.requestSeq = num(r.request_seq);
  s.latencyMs = num(r.latency_ms);
  s.size = num(r.size);
  if (typeof r.forwarded === "boolean") s.forwarded = r.forwarded;
  if (r.origin === "km") s.origin = "km";
  const result = r.result;
  if (isObj(result)) {
    const action = str(result.action);
    if (action && ACTIONS.has(action)) s.action = action as RecordedAction;
    s.applied = interned(result.applied);
    s.approvalId = str(result.approval_id);
    s.risk = num(result.risk);
    if (Array.isArray(result.labels)) {
      s.labels = result.labels.filter((l) => typeof l === "string").map(intern);
    }
    if (Array.isArray(result.reasons)) {
      s.reasons = result.reasons.map((x) =>
        typeof x === "string" ? x : str(isObj(x) ? x.reason : x)
      )
        .filter((x): x is string => x !== undefined);
    }
  }
  const error = r.error;
  if (isObj(error)) {
    s.errorCode = num(error.code);
    s.errorMessage = str(error.message);
  }
  const message = isObj(r.message) ? r.message : undefined;
  if (s.kind === "response" && isObj(message?.result) && message.result.isError === true) {
    s.errorMessage = "the tool reported an error (isError)";
  }
  s.preview = clip(messagePreview(s, r, message));
}

function messagePreview(s: Summary, r: Obj, message: Obj | undefined): string {
  switch (s.kind) {
    case "invalid":
      return `${str(r.reason) ?? "invalid"}${r.raw !== undefined ? `: ${str(r.raw)}` : ""}`;
    case "oversized":
      return `line of ${num(r.size) ?? "?"} bytes over the ${num(r.limit) ?? "?"}-byte limit`;
    case "batch":
      return `batch of ${Array.isArray(r.items) ? r.items.length : "?"} messages`;
    case "error":
      return `${s.errorCode ?? ""} ${s.errorMessage ?? ""}`.trim();
  }
  if (!message) return "";
  if (s.kind === "response") return resultPreview(message.result);
  const params = message.params;
  if (s.method === "tools/call" && isObj(params)) {
    return `${s.tool ?? str(params.name) ?? ""} ${compact(params.arguments ?? {})}`;
  }
  return params === undefined ? "" : compact(params);
}

/** A tool result's first text block, else the result as JSON. */
function resultPreview(result: unknown): string {
  if (isObj(result) && Array.isArray(result.content)) {
    for (const block of result.content) {
      if (isObj(block) && typeof block.text === "string") return block.text;
    }
  }
  return compact(result);
}

function lifecyclePreview(r: Obj): string {
  switch (r.event) {
    case "start": {
      const server = isObj(r.server) ? r.server : {};
      const command = Array.isArray(server.command) ? server.command.join(" ") : "";
      return `started ${command}`;
    }
    case "server_exit":
      return r.signal
        ? `server killed by ${str(r.signal)}`
        : `server exited with code ${r.exit_code}`;
    case "shutdown":
      return `shutdown: ${str(r.reason) ?? ""}`;
    case "policy_reloaded":
      return `policy reloaded: ${str(r.revision) ?? ""} (was ${str(r.previous) ?? "?"})`;
    case "policy_reload_failed":
      return `policy reload failed: ${(str(r.error) ?? "").split("\n")[0]}`;
    case "approval_requested": {
      const what = [str(r.method) ?? "?", str(r.tool)].filter(Boolean).join(" ");
      const timeout = num(r.timeout_ms);
      const reasons = Array.isArray(r.reasons)
        ? r.reasons.filter((x) => typeof x === "string")
        : [];
      return `approval requested for ${what}` +
        (timeout === undefined ? "" : ` (timeout ${seconds(timeout)})`) +
        (reasons.length > 0 ? `: ${reasons.join("; ")}` : "");
    }
    case "approval_resolved":
      return resolvedPreview(r);
  }
  const rest: Obj = {};
  for (const [k, v] of Object.entries(r)) if (!COMMON.has(k)) rest[k] = v;
  return `${str(r.event) ?? "event"} ${Object.keys(rest).length ? compact(rest) : ""}`.trim();
}

const ANSWERED = new Map([
  ["approve", "approved once"],
  ["approve_session", "approved for this session"],
  ["deny", "denied"],
]);

/** E.g. "approved once in dashboard by … after 1.2 s", "denied: timed out after 45 s". */
function resolvedPreview(r: Obj): string {
  const outcome = str(r.outcome) ?? "?";
  const latency = num(r.latency_ms);
  const after = latency === undefined ? "" : ` after ${seconds(latency)}`;
  const reason = str(r.reason) ? ` (${str(r.reason)})` : "";
  const answered = ANSWERED.get(outcome);
  if (answered !== undefined) {
    const channel = str(r.channel) ? ` in ${str(r.channel)}` : "";
    const by = str(r.by) ? ` by ${str(r.by)}` : "";
    return `${answered}${channel}${by}${after}${reason}`;
  }
  // No one answered: what km did with the message says how it ended.
  const verdict = r.applied === "forward" ? "forwarded" : r.applied === "block" ? "denied" : "";
  const how = new Map([
    ["timeout", `timed out${after}`],
    ["withdrawn", `withdrawn${after}`],
    ["unavailable", "nobody could be asked"],
    ["closed", `closed${after}`],
  ]);
  return `${verdict ? `${verdict}: ` : ""}${how.get(outcome) ?? `${outcome}${after}`}${reason}`;
}

/** Milliseconds as seconds for people: "45 s", "1.2 s". */
function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) || s >= 100 ? Math.round(s) : Number(s.toFixed(1))} s`;
}

function sessionFacts(r: Obj): RecordFacts {
  if (r.type === "lifecycle") {
    if (r.event === "start") {
      const server = isObj(r.server) ? r.server : {};
      const km = isObj(r.km) ? r.km : {};
      const policy = isObj(r.policy) ? r.policy : undefined;
      return {
        start: {
          server: str(server.name) ?? "",
          command: Array.isArray(server.command) ? server.command.map(String) : [],
          cwd: str(server.cwd),
          kmPid: num(km.pid),
          policy: policy && {
            source: str(policy.source) ?? "",
            revision: str(policy.revision) ?? "",
            mode: str(policy.mode) ?? "",
          },
        },
      };
    }
    if (r.event === "shutdown") {
      const code = r.exit_code;
      return {
        shutdown: { exitCode: typeof code === "number" ? code : null, reason: str(r.reason) },
      };
    }
    if (r.event === "policy_reloaded" || r.event === "policy_reload_failed") {
      const event = r.event;
      const fields = { revision: r.revision, previous: r.previous, error: r.error, kept: r.kept };
      const known = Object.entries(fields).filter(([, v]) => typeof v === "string");
      return {
        policyEvent: { event, source: str(r.source) ?? "", ...Object.fromEntries(known) },
      };
    }
    if (r.event === "server_exit") {
      return { serverExit: typeof r.exit_code === "number" ? r.exit_code : null };
    }
    return {};
  }
  if (r.type !== "message" || !isObj(r.message)) return {};
  const m = r.message;
  if (r.kind === "request" && r.method === "initialize" && isObj(m.params)) {
    const info = isObj(m.params.clientInfo) ? m.params.clientInfo : {};
    return {
      client: { name: str(info.name) ?? "", version: str(info.version) ?? "" },
      protocolVersion: str(m.params.protocolVersion),
    };
  }
  if (r.kind === "response" && r.method === "initialize" && isObj(m.result)) {
    return { protocolVersion: str(m.result.protocolVersion) };
  }
  // MCP 2026-07-28: no initialize; every client request says who sent it and which version.
  if (r.kind === "request" && r.direction === "client_to_server" && isObj(m.params)) {
    return metaFacts(m.params._meta);
  }
  return {};
}

/** What a 2026-07-28 request's `_meta` says of the client and the protocol version. */
function metaFacts(meta: unknown): Pick<RecordFacts, "client" | "protocolVersion"> {
  if (!isObj(meta)) return {};
  const version = str(meta["io.modelcontextprotocol/protocolVersion"]);
  const info = meta["io.modelcontextprotocol/clientInfo"];
  return {
    ...(isObj(info) && {
      client: { name: str(info.name) ?? "", version: str(info.version) ?? "" },
    }),
    ...(version !== undefined && { protocolVersion: version }),
  };
}

/** JSON on one line, cut early so a huge value costs little. */
function compact(value: unknown): string {
  if (value === undefined) return "";
  try {
    const text = JSON.stringify(value) ?? "";
    return text.length > PREVIEW_CHARS ? text.slice(0, PREVIEW_CHARS) : text;
  } catch {
    return "";
  }
}

function clip(text: string): string {
  const line = text.slice(0, PREVIEW_CHARS * 4).replace(/\s+/g, " ").trim();
  return line.length > PREVIEW_CHARS ? `${line.slice(0, PREVIEW_CHARS - 1)}…` : line;
}
