/**
 * Session counters for the exit summary: messages by kind and direction, bytes, and a bounded
 * sample of response latencies for percentiles. A message held for a person's approval is not
 * forwarded when it is counted; it counts as forwarded once its approval sends it on.
 */
import type { Direction } from "../jsonrpc/correlation.ts";
import type { MessageKind } from "../jsonrpc/message.ts";
import { trimOldest } from "../trim_oldest.ts";

export type CountedKind = MessageKind | "oversized";

export interface DirectionStats {
  messages: number;
  bytes: number;
  byKind: Partial<Record<CountedKind, number>>;
  /**
   * Messages that were not forwarded (blocked, oversized, the receiving side was gone, or held
   * for an approval that did not send them on, or has not ended).
   */
  dropped: number;
}

/** Approvals remembered, held or ended: beyond this the oldest are forgotten. */
const MAX_APPROVALS = 4096;

/** Samples kept for percentiles; beyond this a uniform reservoir sample is kept. */
const MAX_SAMPLES = 10_000;

/** A bounded, uniform sample of a stream of numbers, for percentiles. */
export class Reservoir {
  readonly #samples: number[] = [];
  #count = 0;

  constructor(readonly random: () => number = Math.random) {}

  get count(): number {
    return this.#count;
  }

  add(value: number): void {
    this.#count++;
    if (this.#samples.length < MAX_SAMPLES) {
      this.#samples.push(value);
      return;
    }
    const slot = Math.floor(this.random() * this.#count);
    if (slot < MAX_SAMPLES) this.#samples[slot] = value;
  }

  /** The q-th quantile (0..1), or undefined with no samples. */
  percentile(q: number): number | undefined {
    return percentile(this.#samples, q);
  }
}

/** What the policy did over the session. */
export interface DecisionStats {
  /** Messages by what was applied (forward, transform, block, drop, audit). */
  readonly applied: Partial<Record<string, number>>;
  errors: number;
  readonly evalUs: Reservoir;
}

export class SessionStats {
  readonly directions: Record<Direction, DirectionStats> = {
    client_to_server: emptyDirection(),
    server_to_client: emptyDirection(),
  };
  readonly #latencies: Reservoir;
  readonly policy: DecisionStats;
  stderrLines = 0;
  /** Held messages by approval id, until the approval ends. */
  readonly #held = new Map<string, Direction>();
  /** Ended approvals: whether each sent its message on (a retry may be held after its end). */
  readonly #ended = new Map<string, boolean>();

  constructor(random: () => number = Math.random) {
    this.#latencies = new Reservoir(random);
    this.policy = { applied: {}, errors: 0, evalUs: new Reservoir(random) };
  }

  /** Counts one message (or batch, or oversized line) of `bytes` bytes. */
  count(direction: Direction, kind: CountedKind, bytes: number, forwarded: boolean): void {
    const d = this.directions[direction];
    d.messages++;
    d.bytes += bytes;
    d.byKind[kind] = (d.byKind[kind] ?? 0) + 1;
    if (!forwarded) d.dropped++;
  }

  /**
   * The message just counted (as not forwarded) is held until approval `approvalId` ends; it
   * counts as forwarded if that approval sends it on (`released`), even one that ended before.
   */
  held(direction: Direction, approvalId: string): void {
    const ended = this.#ended.get(approvalId);
    if (ended === undefined) {
      this.#held.set(approvalId, direction);
      trimOldest(this.#held, MAX_APPROVALS);
    } else if (ended) {
      this.directions[direction].dropped--;
    }
  }

  /** Approval `approvalId` ended: `forwarded` when it sent its held message on. */
  released(approvalId: string, forwarded: boolean): void {
    this.#ended.set(approvalId, forwarded);
    trimOldest(this.#ended, MAX_APPROVALS);
    const direction = this.#held.get(approvalId);
    if (direction === undefined) return;
    this.#held.delete(approvalId);
    if (forwarded) this.directions[direction].dropped--;
  }

  latency(ms: number): void {
    this.#latencies.add(ms);
  }

  /** Counts one policy decision. */
  decision(applied: string, evalUs: number, error: boolean): void {
    const counts = this.policy.applied as Record<string, number>;
    counts[applied] = (counts[applied] ?? 0) + 1;
    if (error) this.policy.errors++;
    this.policy.evalUs.add(evalUs);
  }

  /** The q-th quantile (0..1) of response latencies in ms, or undefined with no responses. */
  percentile(q: number): number | undefined {
    return this.#latencies.percentile(q);
  }
}

/** Nearest-rank percentile of unsorted samples. */
export function percentile(samples: readonly number[], q: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

function emptyDirection(): DirectionStats {
  return { messages: 0, bytes: 0, byKind: {}, dropped: 0 };
}
