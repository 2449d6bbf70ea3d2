/**
 * km's signal handling for one session, subscribed before anything is opened or started.
 *
 * Without a listener, SIGTERM, SIGINT and SIGHUP end km at once (the default action): a server
 * already spawned would be orphaned and the session would have no record. So the session
 * subscribes first, before it opens the audit log or spawns the server, and this latch holds on
 * to what arrives until the session knows what to do with it: before the spawn, a signal means
 * "do not start the server"; after it, the signal is forwarded (`route`).
 */

/** The signal numbers km can receive, for the 128+n exit code. */
const SIGNAL_NUMBERS: Partial<Record<Deno.Signal, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** 128+n, the shell's exit code for a process ended by signal n. */
export function signalExitCode(signal: Deno.Signal): number {
  return 128 + (SIGNAL_NUMBERS[signal] ?? 0);
}

export type SubscribeSignals = (
  signals: readonly Deno.Signal[],
  handler: (signal: Deno.Signal) => void,
) => () => void;

export class SignalLatch {
  #handler: ((signal: Deno.Signal) => void) | undefined;
  /** Signals that came while there was no handler, oldest first. */
  readonly #held: Deno.Signal[] = [];
  #first: Deno.Signal | undefined;
  #wake: (signal: Deno.Signal) => void = () => {};
  readonly #unsubscribe: () => void;
  /** Resolves with the first signal received (never, if none comes). */
  readonly first: Promise<Deno.Signal>;

  constructor(subscribe: SubscribeSignals, signals: readonly Deno.Signal[]) {
    this.first = new Promise((resolve) => (this.#wake = resolve));
    this.#unsubscribe = subscribe(signals, (signal) => {
      if (this.#first === undefined) {
        this.#first = signal;
        this.#wake(signal);
      }
      if (this.#handler) this.#handler(signal);
      else this.#held.push(signal);
    });
  }

  /** The first signal received so far, if any. */
  get received(): Deno.Signal | undefined {
    return this.#first;
  }

  /** Sends every signal to `handler`: first those held so far, then each as it comes. */
  route(handler: (signal: Deno.Signal) => void): void {
    this.#handler = handler;
    for (const signal of this.#held.splice(0)) handler(signal);
  }

  /** Stops listening: from now on a signal has its default effect again (it ends km). */
  close(): void {
    this.#handler = undefined;
    this.#unsubscribe();
  }
}
