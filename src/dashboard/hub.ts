/**
 * Fan-out of live events to the dashboard's server-sent-event streams. Each subscriber has a
 * bounded queue: one that falls too far behind is closed (the browser reconnects and reloads),
 * so a stuck tab can never make km ui hold records without bound.
 */

export interface HubEvent {
  readonly event: string;
  readonly data: string;
}

export class Subscriber {
  #queue: HubEvent[] = [];
  #wake: (() => void) | undefined;
  closed = false;

  constructor(private readonly limit: number, private readonly onClose: () => void) {}

  push(event: HubEvent): void {
    if (this.closed) return;
    if (this.#queue.length >= this.limit) {
      this.close();
      return;
    }
    this.#queue.push(event);
    this.#wake?.();
  }

  /** The events queued since the last call; waits for one when there are none. */
  async take(): Promise<HubEvent[]> {
    while (this.#queue.length === 0 && !this.closed) {
      await new Promise<void>((resolve) => this.#wake = resolve);
      this.#wake = undefined;
    }
    const batch = this.#queue;
    this.#queue = [];
    return batch;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#wake?.();
    this.onClose();
  }
}

export class Hub {
  readonly #subscribers = new Set<Subscriber>();

  constructor(private readonly queueLimit = 10_000) {}

  get size(): number {
    return this.#subscribers.size;
  }

  subscribe(): Subscriber {
    const subscriber = new Subscriber(this.queueLimit, () => this.#subscribers.delete(subscriber));
    this.#subscribers.add(subscriber);
    return subscriber;
  }

  publish(event: string, value: unknown): void {
    if (this.#subscribers.size === 0) return;
    const message = { event, data: JSON.stringify(value) };
    for (const subscriber of this.#subscribers) subscriber.push(message);
  }

  closeAll(): void {
    for (const subscriber of [...this.#subscribers]) subscriber.close();
  }
}
