/**
 * What the relay reports: one event per received line, and the clocks it reads. Plain data,
 * shared by the relay, the audit record builders and the text reports.
 */
import type { Correlation, Direction } from "../jsonrpc/correlation.ts";
import type { Id, Message } from "../jsonrpc/message.ts";

export type Side = "client" | "server";

/** Clocks injected for deterministic tests. */
export interface Clock {
  /** Monotonic milliseconds, for latency. */
  now(): number;
  /** Wall-clock epoch milliseconds, for timestamps. */
  epochMs(): number;
}

export const systemClock: Clock = { now: () => performance.now(), epochMs: () => Date.now() };

/** One element of a batch with what correlation learned about it. */
export interface BatchItem {
  readonly message: Message;
  readonly correlation?: Correlation;
}

/** A complete line that was received, classified and (maybe) forwarded. */
export interface MessageEvent {
  readonly direction: Direction;
  readonly seq: number;
  readonly at: number;
  /** Bytes on the wire, terminator included. */
  readonly size: number;
  readonly message: Message;
  /** The text parsed (see `ParsedLine.text`): the audit body, without re-serialising. */
  readonly text: string;
  /** Strings cut from a large line's skeleton before parsing. */
  readonly elided: number;
  /** The bytes were not valid UTF-8: `message` and `text` are what a lenient reader sees. */
  readonly invalidUtf8?: boolean;
  /** For a response or error response: its request. */
  readonly correlation?: Correlation;
  /** For a batch: each item with its correlation. */
  readonly items?: readonly BatchItem[];
  /** For a request: the sender already had a pending request with this id. */
  readonly reusedId?: boolean;
  /** For `notifications/cancelled`: the cancelled request, when it is known. */
  readonly cancels?: Correlation["request"];
  /**
   * For a request or notification about a task (`tasks/get`, `notifications/tasks/status`…):
   * the tool of the `tools/call` that created the task. (A response has it in its correlation.)
   */
  readonly tool?: string;
  /** The policy's decision, when a policy is loaded. */
  readonly decision?: DecisionSummary;
  /** False when the message was not sent on: blocked by policy, or the receiver was gone. */
  readonly forwarded: boolean;
  /** False for a last line that ended at end of stream without `\n`. */
  readonly terminated: boolean;
}

/** A line over the size limit: never forwarded; answered with an error where an id is known. */
export interface OversizedEvent {
  readonly direction: Direction;
  readonly seq: number;
  readonly at: number;
  readonly size: number;
  readonly limit: number;
  readonly head: Uint8Array;
  readonly tail: Uint8Array;
  readonly id?: Id;
  /** For an oversized response: its request (which km answered with an error instead). */
  readonly correlation?: Correlation;
  /** The error km sent in its place, and to whom. */
  readonly reply?: { readonly to: Side; readonly response: string };
}

/**
 * A line km wrote itself rather than relayed: its error answer to a blocked request, the error
 * it sends in place of a blocked response, its approval questions to the client.
 */
export interface KmMessageEvent {
  readonly origin: "km";
  /** The way it travels: `server_to_client` for what km tells the client. */
  readonly direction: Direction;
  readonly seq: number;
  readonly at: number;
  readonly size: number;
  readonly message: Message;
  readonly text: string;
  /** For an answer: the request it answers. */
  readonly correlation?: Correlation;
  /** For a batch of answers: each with its request. */
  readonly items?: readonly BatchItem[];
  /** `seq` of the message that made km write it (a blocked or held message). */
  readonly causeSeq: number;
  /** The approval it belongs to: a held message's end, or km's question about it. */
  readonly approvalId?: string;
  /** False when the receiver was gone. */
  readonly forwarded: boolean;
}

/**
 * Where records go, as the relay needs it: the records of what it read are written before it
 * forwards any of it, so whatever stops km, nothing crossed it unrecorded.
 */
export interface RecordSink {
  /** Writes every record so far; false when some could not be written. */
  flush(): Promise<boolean>;
  /** The same, synchronously; undefined when it cannot be done synchronously now. */
  flushSync?(): boolean | undefined;
  /** Why records cannot be written now (the last write failed), or undefined. */
  failing(): string | undefined;
}

/** Receives everything the relay sees. Called synchronously: keep it cheap. */
export interface RelayObserver {
  message(event: MessageEvent): void;
  oversized(event: OversizedEvent): void;
  /** km answered or told a side something itself (a blocked or held message's end). */
  kmMessage(event: KmMessageEvent): void;
  /** A side's output stream ended (EOF) or failed to read. */
  ended(side: Side, error?: unknown): void;
}

/**
 * The action a decision summary records: the policy's action (policy/decision.ts `Action`), or
 * `error` when the evaluation failed or the decision was malformed.
 */
export type RecordedAction = "allow" | "deny" | "ask" | "transform" | "error";

/** What the policy decided about one message, for the audit record and the summary. */
export interface DecisionSummary {
  readonly action: RecordedAction;
  /**
   * What km did: sent the bytes received (`forward`), a transformed copy (`transform`), nothing
   * (`block`, with an answer to whoever waits), nothing silently (`drop`), the bytes received
   * while recording what enforcement would have done (`audit`), nothing yet (`hold`: waiting
   * for a person's approval), km's answer in its place asking a person (`input_required`: MCP
   * 2026-07-28, where the client's retry brings the answer), or nothing because the message was
   * km's own business (`consume`: a client's answer to km's approval request).
   */
  readonly applied:
    | "forward"
    | "transform"
    | "block"
    | "drop"
    | "audit"
    | "hold"
    | "input_required"
    | "consume";
  readonly reasons: readonly string[];
  /** Ids of the rules that fired. */
  readonly rules: readonly string[];
  readonly risk: number;
  readonly labels: readonly string[];
  /** Content hash of the policy that decided. */
  readonly revision: string;
  /** Evaluation time in microseconds (for a remembered decision, the time to look it up). */
  readonly evalUs: number;
  /** The decision was remembered from an earlier message with the same input. */
  readonly cached?: true;
  readonly error?: string;
  /**
   * Why km could not be sure the receiver reads the message as km did (integrity.ts codes):
   * present when there was such a doubt, whether it blocked the message or the policy
   * tolerated it.
   */
  readonly integrity?: readonly string[];
  /** The approval that holds the message, or that approved it for the session. */
  readonly approvalId?: string;
}

/** The policy's effect on one message, as the relay applies it. */
export interface Verdict {
  /** The bytes to send on (the ones received, or a transformed copy); none: blocked. */
  readonly forward?: Uint8Array;
  /** km's answer to the message's sender (a blocked request). */
  readonly replyToSender?: Uint8Array;
  /** km's answer to the message's receiver (an error in place of a blocked response). */
  readonly replyToReceiver?: Uint8Array;
  /** km answered the request itself: it no longer waits for the other side. */
  readonly answersRequest?: boolean;
  /** A held message: what to do once a person has answered (or the time ran out). */
  readonly held?: Promise<Release>;
  readonly summary: DecisionSummary;
}

/** What happens to a held message in the end. */
export type Release = Omit<Verdict, "summary" | "held">;

/** Decides what happens to each message before it is forwarded (the policy engine). */
export interface Gate {
  decide(event: MessageEvent, raw: Uint8Array): Verdict;
}
