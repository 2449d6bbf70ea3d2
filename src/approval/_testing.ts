/** Test helpers: approval requests, pending approvals and channel replies. Not part of km. */
import type { ApprovalAnswer } from "./types.ts";
import type { AskRequest, ChannelReply, Pending, Resolution } from "./broker.ts";

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
