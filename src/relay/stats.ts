/**
 * Session counters for the exit summary: messages by kind and direction, bytes, and a bounded
 * sample of response latencies for percentiles.
 */
import type { Direction } from "../jsonrpc/correlation.ts";
import type { MessageKind } from "../jsonrpc/message.ts";

export type CountedKind = MessageKind | "oversized";

export interface DirectionStats {
  messages: number;
  bytes: number;
  byKind: Partial<Record<CountedKind, number>>;
  /** Messages that were not forwarded (oversized, or the receiving side was gone). */
  dropped: number;
}

/** Latency samples kept for percentiles; beyond this a uniform reservoir sample is kept. */
const MAX_SAMPLES = 10_000;

export class SessionStats {
  readonly directions: Record<Direction, DirectionStats> = {
    client_to_server: emptyDirection(),
    server_to_client: emptyDirection(),
  };
  readonly #latencies: number[] = [];
  #latencyCount = 0;
  stderrLines = 0;

  constructor(readonly random: () => number = Math.random) {}

  /** Counts one message (or batch, or oversized line) of `bytes` bytes. */
  count(direction: Direction, kind: CountedKind, bytes: number, forwarded: boolean): void {
    const d = this.directions[direction];
    d.messages++;
    d.bytes += bytes;
    d.byKind[kind] = (d.byKind[kind] ?? 0) + 1;
    if (!forwarded) d.dropped++;
  }

  latency(ms: number): void {
    this.#latencyCount++;
    if (this.#latencies.length < MAX_SAMPLES) {
      this.#latencies.push(ms);
      return;
    }
    const slot = Math.floor(this.random() * this.#latencyCount);
    if (slot < MAX_SAMPLES) this.#latencies[slot] = ms;
  }

  /** The q-th quantile (0..1) of response latencies in ms, or undefined with no responses. */
  percentile(q: number): number | undefined {
    return percentile(this.#latencies, q);
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
