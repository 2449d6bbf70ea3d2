/**
 * Staged stopping of the server: close its stdin, wait, SIGTERM, wait, SIGKILL (the MCP SDK's
 * sequence). Each step is skipped once the server has exited.
 */
import type { Timers } from "../approval/broker.ts";

export interface Stoppable {
  signal(signal: Deno.Signal): boolean;
}

export type StopStep = "terminate" | "kill";

const systemTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as number),
};

export class Shutdown {
  #timers: unknown[] = [];
  #started = false;
  #terminating = false;
  #done = false;

  constructor(
    readonly server: Stoppable,
    readonly waits: { readonly closeStdinWait: number; readonly terminateWait: number },
    /** Called for each signal km sends, for the audit log. */
    readonly onStep: (step: StopStep, signal: Deno.Signal, delivered: boolean) => void,
    /** The waits' timers; the global setTimeout/clearTimeout unless a test drives them. */
    readonly timers: Timers = systemTimers,
  ) {}

  /** The server's stdin was closed: give it `closeStdinWait`, then terminate. */
  afterStdinClosed(): void {
    if (this.#started || this.#done) return;
    this.#started = true;
    this.#after(this.waits.closeStdinWait, () => this.terminate());
  }

  /** SIGTERM now (unless already sent), SIGKILL after `terminateWait`. */
  terminate(): void {
    if (this.#terminating || this.#done) return;
    this.#terminating = true;
    this.#send("terminate", "SIGTERM");
    this.#after(this.waits.terminateWait, () => this.kill());
  }

  /** Arms the SIGKILL deadline for a SIGINT/SIGTERM that was forwarded rather than sent by km. */
  forwarded(): void {
    if (this.#terminating || this.#done) return;
    this.#terminating = true;
    this.#after(this.waits.terminateWait, () => this.kill());
  }

  kill(): void {
    if (this.#done) return;
    this.#send("kill", "SIGKILL");
  }

  /** The server exited: cancel every pending step. */
  finished(): void {
    this.#done = true;
    for (const timer of this.#timers) this.timers.clear(timer);
    this.#timers = [];
  }

  #send(step: StopStep, signal: Deno.Signal): void {
    this.onStep(step, signal, this.server.signal(signal));
  }

  #after(ms: number, action: () => void): void {
    this.#timers.push(this.timers.set(() => !this.#done && action(), ms));
  }
}
