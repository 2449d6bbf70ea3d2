/** Test helpers: approval requests, pending approvals and channel replies. Not part of km. */
import type { ApprovalAnswer } from "./types.ts";
import type { AskRequest, ChannelReply, Pending, Resolution, Timers } from "./broker.ts";

/** A held `tools/call` of "rm", with `fields` on top. */
export function askRequest(fields: Partial<AskRequest> = {}): AskRequest {
  return {
    key: "client_to_server 7",
    direction: "client_to_server",
    method: "tools/call",
    tool: "rm",
    arguments: { path: "/" },
    argsHash: "h1",
    reasons: ["rm deletes files"],
    rules: ["ask-rm"],
    risk: 8,
    labels: ["destructive"],
    requestSeq: 3,
    timeoutMs: 30_000,
    ...fields,
  };
}

/** A pending approval of `request` as the broker would hand it to a channel. */
export function pendingOf(request: AskRequest = askRequest(), id = "s-a1"): Pending {
  return {
    id,
    session: "s",
    request,
    requestedAt: 1_700_000_000_000,
    expiresAt: 1_700_000_000_000 + request.timeoutMs,
  };
}

/** A resolution as the broker would report it. */
export function resolution(fields: Partial<Resolution> = {}): Resolution {
  return {
    outcome: "approve",
    channel: "dashboard",
    by: "alice",
    latencyMs: 12,
    channels: {},
    ...fields,
  };
}

/** A `ChannelReply` that records what the channel reported. */
export class RecordingReply implements ChannelReply {
  readonly answers: [ApprovalAnswer, string][] = [];
  readonly failures: string[] = [];
  readonly notes: string[] = [];

  answer(answer: ApprovalAnswer, by: string): void {
    this.answers.push([answer, by]);
  }

  fail(reason: string): void {
    this.failures.push(reason);
  }

  note(text: string): void {
    this.notes.push(text);
  }
}

/**
 * Timers that fire only when the test says so: `fireAll` fires every timer set so far,
 * `advance` moves a fake clock and fires, in order of their due time, the timers it reaches
 * (timers they set included).
 */
export class FakeTimers implements Timers {
  readonly live = new Map<number, { callback: () => void; ms: number; due: number }>();
  /** Milliseconds advanced so far. */
  now = 0;
  #next = 0;

  set(callback: () => void, ms: number): unknown {
    this.live.set(++this.#next, { callback, ms, due: this.now + ms });
    return this.#next;
  }

  clear(handle: unknown): void {
    this.live.delete(handle as number);
  }

  /** Fires every timer set so far. */
  fireAll(): void {
    for (const [handle, { callback }] of [...this.live]) {
      this.live.delete(handle);
      callback();
    }
  }

  /** Moves the clock on by `ms`, firing each timer that falls due on the way. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const next = [...this.live].filter(([, t]) => t.due <= until)
        .sort(([a, x], [b, y]) => x.due - y.due || a - b)[0];
      if (!next) break;
      const [handle, { callback, due }] = next;
      this.live.delete(handle);
      this.now = due;
      callback();
    }
    this.now = until;
  }
}
