/**
 * Human approval of held messages. The broker owns every pending approval of one session: it
 * asks each configured channel (the dashboard, the client's own UI) in order, lets the first
 * answer win, tells the other channels it ended, and resolves on its own when the time runs
 * out, the request is withdrawn, or no channel is left. "Approve for this session" grants the
 * same method, tool and arguments hash for the rest of the session.
 *
 * Pure apart from the injected clock and timers, so tests drive it step by step.
 */
import type { ApprovalAnswer, ApprovalOutcome, PendingApproval } from "./types.ts";

export type ChannelName = "dashboard" | "client";

/**
 * What the policy asked a person to approve: what the dashboard shows of it (the exact arguments;
 * shown_arguments.ts decides what a channel may mask), with the held message's key (what a
 * cancellation names) and the time allowed.
 */
export type AskRequest =
  & Pick<
    PendingApproval,
    | "direction"
    | "method"
    | "tool"
    | "arguments"
    | "argsHash"
    | "reasons"
    | "rules"
    | "risk"
    | "labels"
    | "requestSeq"
  >
  & {
    readonly key: string;
    readonly timeoutMs: number;
    /**
     * For a client's request: its id and whole text as received, so that a channel can answer
     * it itself and check that a retry is the same request (input_required.ts).
     */
    readonly wire?: { readonly idText: string; readonly text: string };
  };

export interface Pending {
  /** `<session>-a<n>`: unique across sessions. */
  readonly id: string;
  readonly session: string;
  readonly request: AskRequest;
  /** Epoch milliseconds. */
  readonly requestedAt: number;
  readonly expiresAt: number;
}

/** How an approval ended. */
export interface Resolution {
  readonly outcome: ApprovalOutcome;
  /** Where the answer came from: a channel, `session_grant`, or `km`. */
  readonly channel: string;
  readonly by: string;
  /** For every outcome but an approval: why the message is blocked, in words. */
  readonly reason?: string;
  readonly latencyMs: number;
  /** What happened on each channel asked. */
  readonly channels: Readonly<Record<string, string>>;
}

/** What a channel reports back for one pending approval. */
export interface ChannelReply {
  answer(answer: ApprovalAnswer, by: string): void;
  /** The channel cannot (or can no longer) answer this approval. */
  fail(reason: string): void;
  /** Notes what the channel did (e.g. "shown", "asked (request km-…)"), for the record. */
  note(text: string): void;
}

export interface ChannelHandle {
  /** The approval ended (answered elsewhere, timed out, withdrawn): stop asking. */
  end(pending: Pending, resolution: Resolution): void;
  /**
   * km's answer to the held request, to send at once: the question itself (MCP 2026-07-28's
   * `input_required` result). The approval then goes on until the request's retry brings the
   * person's answer, another channel answers, or the time runs out.
   */
  readonly answerNow?: Uint8Array;
}

export interface ApprovalChannel {
  readonly name: ChannelName;
  /**
   * Starts asking; returns why the channel cannot be used right now instead, if so. `reply`
   * may be called once `open` has returned, never from within it.
   */
  open(pending: Pending, reply: ChannelReply): ChannelHandle | string;
}

export type AskResult =
  | {
    readonly kind: "held";
    readonly pending: Pending;
    readonly done: Promise<Resolution>;
    /** Send this to the sender now, in place of holding the message (ChannelHandle.answerNow). */
    readonly answerNow?: Uint8Array;
  }
  /** Covered by an earlier "approve for this session": forward at once. */
  | { readonly kind: "granted"; readonly approvalId: string }
  /** No channel could ask: deny at once. */
  | { readonly kind: "unavailable"; readonly reason: string };

export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface BrokerOptions {
  readonly session: string;
  readonly channels: readonly ApprovalChannel[];
  /** Monotonic milliseconds, for latency. */
  readonly now: () => number;
  /** Epoch milliseconds, for what people see. */
  readonly epochMs: () => number;
  readonly timers?: Timers;
  /** Called once per approval when it ends, before its promise resolves. */
  readonly onResolved?: (pending: Pending, resolution: Resolution) => void;
}

interface Live {
  readonly pending: Pending;
  readonly started: number;
  readonly handles: Map<ChannelName, ChannelHandle>;
  readonly notes: Record<string, string>;
  readonly timer: unknown;
  readonly resolve: (resolution: Resolution) => void;
  readonly done: Promise<Resolution>;
  resolution?: Resolution;
}

/** Ended approvals kept for `outcome` (a retry may come after the answer): at most. */
const ENDED_KEPT = 1024;

const systemTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as number),
};

export class ApprovalBroker {
  readonly #options: BrokerOptions;
  readonly #timers: Timers;
  readonly #live = new Map<string, Live>();
  /** Held message key → approval id, for withdrawal by cancellation. */
  readonly #byKey = new Map<string, string>();
  /** Grant key → the approval that granted it for the session. */
  readonly #grants = new Map<string, string>();
  /** How recent approvals ended, by id. */
  readonly #ended = new Map<string, Resolution>();
  #next = 0;

  constructor(options: BrokerOptions) {
    this.#options = options;
    this.#timers = options.timers ?? systemTimers;
  }

  /** Approvals waiting for an answer. */
  get size(): number {
    return this.#live.size;
  }

  ask(request: AskRequest): AskResult {
    const granted = this.#grants.get(grantKey(request));
    if (granted !== undefined) return { kind: "granted", approvalId: granted };
    const { session, now, epochMs } = this.#options;
    const requestedAt = epochMs();
    const pending: Pending = {
      id: `${session}-a${++this.#next}`,
      session,
      request,
      requestedAt,
      expiresAt: requestedAt + request.timeoutMs,
    };
    let resolve!: (resolution: Resolution) => void;
    const done = new Promise<Resolution>((r) => resolve = r);
    const live: Live = {
      pending,
      started: now(),
      handles: new Map(),
      notes: {},
      timer: this.#timers.set(
        () =>
          this.#end(
            pending.id,
            "timeout",
            "km",
            "km",
            `approval timed out after ${seconds(request.timeoutMs)}`,
          ),
        request.timeoutMs,
      ),
      resolve,
      done,
    };
    this.#live.set(pending.id, live);
    this.#byKey.set(request.key, pending.id);
    let answerNow: Uint8Array | undefined;
    for (const channel of this.#options.channels) {
      if (!this.#live.has(pending.id)) break; // a channel answered at once
      const opened = channel.open(pending, this.#reply(pending.id, channel.name));
      if (typeof opened === "string") live.notes[channel.name] = opened;
      else if (live.resolution) opened.end(pending, live.resolution);
      else {
        live.handles.set(channel.name, opened);
        answerNow ??= opened.answerNow;
      }
    }
    if (this.#live.has(pending.id) && live.handles.size === 0) {
      this.#forget(live);
      return { kind: "unavailable", reason: unavailableReason(this.#options.channels, live.notes) };
    }
    return { kind: "held", pending, done, ...(answerNow ? { answerNow } : {}) };
  }

  /** How the approval `id` ends: pending, or recently ended; undefined when unknown. */
  outcome(id: string): Promise<Resolution> | undefined {
    const live = this.#live.get(id);
    if (live) return live.done;
    const ended = this.#ended.get(id);
    return ended && Promise.resolve(ended);
  }

  /** A cancellation of the held message: ends its approval. False when none is pending. */
  withdraw(key: string, why: string): string | undefined {
    const id = this.#byKey.get(key);
    if (id === undefined) return undefined;
    this.#end(id, "withdrawn", "km", "km", why);
    return id;
  }

  /** Ends every pending approval (the session is ending): each resolves to `closed`. */
  closeAll(reason: string): void {
    for (const id of [...this.#live.keys()]) this.#end(id, "closed", "km", "km", reason);
  }

  #reply(id: string, channel: ChannelName): ChannelReply {
    return {
      answer: (answer, by) => this.#answered(id, channel, answer, by),
      fail: (reason) => this.#failed(id, channel, reason),
      note: (text) => {
        const live = this.#live.get(id);
        if (live) live.notes[channel] = text;
      },
    };
  }

  #answered(id: string, channel: ChannelName, answer: ApprovalAnswer, by: string): void {
    const live = this.#live.get(id);
    if (!live) return;
    live.notes[channel] = `answered: ${answer}`;
    const reason = answer === "deny" ? `approval denied in the ${channel} by ${by}` : undefined;
    this.#end(id, answer, channel, by, reason);
    if (answer !== "approve_session") return;
    const key = grantKey(live.pending.request);
    this.#grants.set(key, id);
    // Identical calls already waiting are covered by the same answer.
    for (const other of [...this.#live.values()]) {
      if (grantKey(other.pending.request) === key) {
        this.#end(other.pending.id, "approve_session", "session_grant", `approval ${id}`);
      }
    }
  }

  #failed(id: string, channel: ChannelName, reason: string): void {
    const live = this.#live.get(id);
    if (!live) return;
    live.notes[channel] = reason;
    live.handles.delete(channel);
    if (live.handles.size > 0) return;
    const why = unavailableReason(this.#options.channels, live.notes);
    this.#end(id, "unavailable", "km", "km", why);
  }

  #end(id: string, outcome: ApprovalOutcome, channel: string, by: string, reason?: string) {
    const live = this.#live.get(id);
    if (!live) return;
    this.#forget(live);
    const resolution: Resolution = {
      outcome,
      channel,
      by,
      ...(reason === undefined ? {} : { reason }),
      latencyMs: Math.round((this.#options.now() - live.started) * 10) / 10,
      channels: { ...live.notes },
    };
    live.resolution = resolution;
    this.#ended.set(id, resolution);
    if (this.#ended.size > ENDED_KEPT) this.#ended.delete(this.#ended.keys().next().value!);
    for (const handle of live.handles.values()) handle.end(live.pending, resolution);
    this.#options.onResolved?.(live.pending, resolution);
    live.resolve(resolution);
  }

  #forget(live: Live): void {
    this.#timers.clear(live.timer);
    this.#live.delete(live.pending.id);
    // A reused id may hold a newer message under the same key: leave its entry alone.
    const key = live.pending.request.key;
    if (this.#byKey.get(key) === live.pending.id) this.#byKey.delete(key);
  }
}

/** What "approve for this session" covers: the same method, tool and arguments. */
function grantKey(request: AskRequest): string {
  return `${request.direction} ${request.method} ${request.tool ?? ""} ${request.argsHash}`;
}

function unavailableReason(
  channels: readonly ApprovalChannel[],
  notes: Readonly<Record<string, string>>,
): string {
  if (channels.length === 0) return "no approval channel is configured (approvals.channels)";
  const why = channels.map((c) => `${c.name}: ${notes[c.name] ?? "unavailable"}`);
  return `no approval channel could be used (${why.join("; ")})`;
}

export function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
