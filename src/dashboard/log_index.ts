/**
 * The dashboard's in-memory index of audit records: summaries only (bodies stay on disk, found
 * again by file and byte offset), sessions, and the queries the API answers. Pure: the reader
 * (log_source.ts) feeds it parsed records.
 */
import type {
  PolicyEvent,
  PolicyReport,
  RecordFilter,
  RecordPage,
  RecordSummary,
  SessionSummary,
} from "./api_types.ts";
import { matches } from "./filter.ts";
import type { RecordFacts, Summary } from "./summarise.ts";
import { summarise } from "./summarise.ts";

/** Where a record's line is: enough to read it again. */
export interface Location {
  readonly file: string;
  readonly offset: number;
  readonly length: number;
}

export interface Entry {
  readonly summary: Summary;
  readonly at: Location;
}

/** An approval's lifecycle records: `approval_requested` and `approval_resolved`. */
export interface ApprovalEntries {
  requested?: Entry;
  resolved?: Entry;
}

const APPROVAL_EVENTS = { approval_requested: "requested", approval_resolved: "resolved" } as const;

/** What the index knows of one session, learnt from its records: becomes a SessionSummary. */
interface IndexedSession {
  readonly id: string;
  file: string;
  server: string;
  command: readonly string[];
  cwd?: string;
  kmPid?: number;
  client?: { name: string; version: string };
  protocolVersion?: string;
  policy?: { source: string; revision: string; mode: string };
  startedAt: number;
  lastAt: number;
  ended: boolean;
  exitCode?: number | null;
  shutdownReason?: string;
  counts: {
    messages: number;
    requests: number;
    responses: number;
    errors: number;
    notifications: number;
    denials: number;
    asks: number;
    stderr: number;
  };
  readonly bySeq: Map<number, Entry>;
  /** Approval id → its lifecycle records. */
  readonly approvals: Map<string, ApprovalEntries>;
}

export interface IndexOptions {
  /** Summaries kept in memory; the oldest are dropped beyond it (they stay on disk). */
  readonly maxRecords: number;
  /** Whether the km process of a session still runs. */
  readonly isAlive: (pid: number) => boolean;
}

const MAX_POLICY_EVENTS = 1000;
const MAX_INTERNED = 20_000;

export class LogIndex {
  readonly #options: IndexOptions;
  /** Sorted by (ts, session, seq). */
  #entries: Entry[] = [];
  readonly #sessions = new Map<string, IndexedSession>();
  readonly #policyEvents: PolicyEvent[] = [];
  /** One copy of each session id, method, tool… shared by every summary that names it. */
  readonly #strings = new Map<string, string>();
  readonly #intern = (text: string): string => {
    const known = this.#strings.get(text);
    if (known !== undefined) return known;
    if (this.#strings.size >= MAX_INTERNED) this.#strings.clear();
    this.#strings.set(text, text);
    return text;
  };
  /** While loading many files: append unsorted, sort once at the end. */
  #bulk = false;
  /** Lines that were not audit records, and the last reason. */
  skipped = 0;
  lastSkip = "";

  constructor(options: IndexOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Adds many records faster: order and the memory bound are restored by `endBulk`. */
  beginBulk(): void {
    this.#bulk = true;
  }

  endBulk(): void {
    if (!this.#bulk) return;
    this.#bulk = false;
    this.#entries.sort((a, b) => compare(a.summary, b.summary));
    this.#evict();
  }

  /**
   * Adds one parsed record read at `at`. Returns its summary, or undefined when the line is not
   * an audit record or was seen before.
   */
  add(record: unknown, at: Location): Summary | undefined {
    const result = summarise(record, this.#intern);
    if ("error" in result) {
      this.skipped++;
      this.lastSkip = `${at.file} at byte ${at.offset}: ${result.error}`;
      return undefined;
    }
    const { summary, facts } = result;
    const session = this.#sessions.get(summary.session) ?? this.#newSession(summary, at.file);
    if (session.bySeq.has(summary.seq)) return undefined;
    this.#learn(session, summary, facts);
    summary.server = session.server;
    const entry: Entry = { summary, at };
    session.bySeq.set(summary.seq, entry);
    const slot = approvalSlot(summary);
    if (slot) {
      const approval = session.approvals.get(summary.approvalId!) ?? {};
      approval[slot] = entry;
      session.approvals.set(summary.approvalId!, approval);
    }
    this.#insert(entry);
    if (summary.requestSeq !== undefined) {
      const request = session.bySeq.get(summary.requestSeq);
      if (request) request.summary.responseSeq = summary.seq;
    }
    if (!this.#bulk && this.#entries.length > this.#options.maxRecords) this.#evict();
    return summary;
  }

  /** A record by session and seq. */
  get(session: string, seq: number): Entry | undefined {
    return this.#sessions.get(session)?.bySeq.get(seq);
  }

  /** The lifecycle records of approval `id` of `session` still in memory. */
  approval(session: string, id: string): Readonly<ApprovalEntries> | undefined {
    return this.#sessions.get(session)?.approvals.get(id);
  }

  /** Newest first, `limit` records older than the `before` key. */
  page(filter: RecordFilter, limit: number, before?: string): RecordPage | { error: string } {
    let end = this.#entries.length;
    if (before !== undefined) {
      const slash = before.lastIndexOf("/");
      const cursor = this.get(before.slice(0, slash), Number(before.slice(slash + 1)));
      if (!cursor) return { error: `"before" names no record: "${before}"` };
      end = this.#lowerBound(cursor.summary);
    }
    const records: RecordSummary[] = [];
    let total = 0;
    let next: string | undefined;
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const s = this.#entries[i].summary;
      if (!matches(s, filter)) continue;
      total++;
      if (i >= end) continue;
      if (records.length < limit) records.push(s);
      else next ??= records[records.length - 1].key;
    }
    return next === undefined ? { records, total } : { records, total, next };
  }

  /** Summaries of one session within `windowMs` of `ts`, oldest first, of one type. */
  near(session: string, ts: number, windowMs: number, type: RecordSummary["type"]): Summary[] {
    const state = this.#sessions.get(session);
    if (!state) return [];
    const out: Summary[] = [];
    for (const entry of state.bySeq.values()) {
      const s = entry.summary;
      if (s.type === type && Math.abs(s.ts - ts) <= windowMs) out.push(s);
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  /** Every session, newest first. */
  sessions(): SessionSummary[] {
    return [...this.#sessions.values()]
      .sort((a, b) => b.startedAt - a.startedAt)
      .map((s) => this.sessionSummary(s.id)!);
  }

  sessionSummary(id: string): SessionSummary | undefined {
    const s = this.#sessions.get(id);
    if (!s) return undefined;
    const live = !s.ended && (s.kmPid === undefined || this.#options.isAlive(s.kmPid));
    return {
      id: s.id,
      file: s.file,
      server: s.server,
      command: s.command,
      ...(s.cwd !== undefined && { cwd: s.cwd }),
      ...(s.client && { client: s.client }),
      ...(s.protocolVersion !== undefined && { protocolVersion: s.protocolVersion }),
      startedAt: s.startedAt,
      ...(!live && { endedAt: s.lastAt }),
      live,
      ...(s.exitCode !== undefined && { exitCode: s.exitCode }),
      ...(s.shutdownReason !== undefined && { shutdownReason: s.shutdownReason }),
      ...(s.policy && { policy: s.policy }),
      counts: { ...s.counts },
    };
  }

  policy(): PolicyReport {
    return {
      sessions: this.sessions().map((s) => ({
        session: s.id,
        server: s.server,
        startedAt: s.startedAt,
        live: s.live,
        ...(s.policy && { policy: s.policy }),
      })),
      events: [...this.#policyEvents].sort((a, b) => b.ts - a.ts),
    };
  }

  /** Every entry, oldest first (for statistics). */
  entries(): readonly Entry[] {
    return this.#entries;
  }

  #newSession(summary: Summary, file: string): IndexedSession {
    const state: IndexedSession = {
      id: summary.session,
      file,
      server: summary.server,
      command: [],
      startedAt: summary.ts,
      lastAt: summary.ts,
      ended: false,
      counts: {
        messages: 0,
        requests: 0,
        responses: 0,
        errors: 0,
        notifications: 0,
        denials: 0,
        asks: 0,
        stderr: 0,
      },
      bySeq: new Map(),
      approvals: new Map(),
    };
    this.#sessions.set(state.id, state);
    return state;
  }

  #learn(s: IndexedSession, summary: Summary, facts: RecordFacts): void {
    if (summary.ts < s.startedAt) s.startedAt = summary.ts;
    if (summary.ts > s.lastAt) s.lastAt = summary.ts;
    if (facts.start) {
      s.server = facts.start.server;
      s.command = facts.start.command;
      s.cwd = facts.start.cwd;
      s.kmPid = facts.start.kmPid;
      s.policy = facts.start.policy;
      s.startedAt = summary.ts;
      // Records read before the start record (a shared --log-file) learn the server name now.
      for (const entry of s.bySeq.values()) entry.summary.server = s.server;
    }
    if (facts.client) s.client = facts.client;
    if (facts.protocolVersion) s.protocolVersion = facts.protocolVersion;
    if (facts.shutdown) {
      s.ended = true;
      s.exitCode = facts.shutdown.exitCode;
      s.shutdownReason = facts.shutdown.reason;
    }
    if (facts.serverExit !== undefined && s.exitCode === undefined) s.exitCode = facts.serverExit;
    const c = s.counts;
    if (summary.type === "stderr") c.stderr++;
    if (facts.policyEvent) this.#policyEvent(s, summary, facts.policyEvent);
    if (summary.type !== "message") return;
    c.messages++;
    if (summary.kind === "request") c.requests++;
    else if (summary.kind === "response") c.responses++;
    else if (summary.kind === "notification") c.notifications++;
    if (summary.kind === "error" || summary.errorMessage !== undefined) c.errors++;
    if (summary.action === "deny") c.denials++;
    if (summary.action === "ask") c.asks++;
  }

  #policyEvent(
    s: IndexedSession,
    summary: Summary,
    event: NonNullable<RecordFacts["policyEvent"]>,
  ): void {
    if (event.event === "policy_reloaded" && event.revision && s.policy) {
      s.policy = { ...s.policy, revision: event.revision };
    }
    this.#policyEvents.push({ session: s.id, server: s.server, ts: summary.ts, ...event });
    if (this.#policyEvents.length > MAX_POLICY_EVENTS) this.#policyEvents.shift();
  }

  /** Keeps the entries sorted; live records nearly always go at the end. */
  #insert(entry: Entry): void {
    const list = this.#entries;
    const last = list[list.length - 1];
    if (this.#bulk || !last || compare(last.summary, entry.summary) <= 0) {
      list.push(entry);
      return;
    }
    list.splice(this.#lowerBound(entry.summary), 0, entry);
  }

  #lowerBound(s: Summary): number {
    let lo = 0;
    let hi = this.#entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(this.#entries[mid].summary, s) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drops the oldest summaries over the bound, and a tenth more so this runs rarely. */
  #evict(): void {
    const excess = this.#entries.length - this.#options.maxRecords;
    if (excess <= 0) return;
    const drop = excess + Math.floor(this.#options.maxRecords / 10);
    for (const entry of this.#entries.slice(0, drop)) {
      const { summary } = entry;
      const session = this.#sessions.get(summary.session);
      session?.bySeq.delete(summary.seq);
      const slot = approvalSlot(summary);
      const approval = slot && session?.approvals.get(summary.approvalId!);
      if (approval && approval[slot] === entry) {
        delete approval[slot];
        if (!approval.requested && !approval.resolved) {
          session!.approvals.delete(summary.approvalId!);
        }
      }
    }
    this.#entries = this.#entries.slice(drop);
  }
}

/** Which record of its approval a summary is, if it is one of an approval's lifecycle records. */
function approvalSlot(s: Summary): keyof ApprovalEntries | undefined {
  if (s.type !== "lifecycle" || s.approvalId === undefined || s.event === undefined) {
    return undefined;
  }
  return Object.hasOwn(APPROVAL_EVENTS, s.event)
    ? APPROVAL_EVENTS[s.event as keyof typeof APPROVAL_EVENTS]
    : undefined;
}

function compare(a: Summary, b: Summary): number {
  if (a.ts !== b.ts) return a.ts - b.ts;
  if (a.session !== b.session) return a.session < b.session ? -1 : 1;
  return a.seq - b.seq;
}
