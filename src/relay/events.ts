/**
 * What the relay reports: one event per received line, and the clocks it reads. Plain data,
 * shared by the relay, the audit record builders and the text reports.
 */
import type { Correlation, Direction } from "../jsonrpc/correlation.ts";
import type { Id, Message } from "../jsonrpc/message.ts";
import type { DecisionSummary } from "../decision_summary.ts";

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
  /** `seq` of the message that made km write it (a blocked or deferred message). */
  readonly causeSeq: number;
  /** What it is about, in the gate's words (`Verdict.about`: an approval's id). */
  readonly about?: string;
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

/** The gate's effect on one message, as the relay applies it. */
export interface Verdict {
  /** The bytes to send on (the ones received, or a transformed copy); none: blocked. */
  readonly forward?: Uint8Array;
  /** km's answer to the message's sender (a blocked request). */
  readonly replyToSender?: Uint8Array;
  /** km's answer to the message's receiver (an error in place of a blocked response). */
  readonly replyToReceiver?: Uint8Array;
  /** km answered the request itself: it no longer waits for the other side. */
  readonly answersRequest?: boolean;
  /**
   * The rest is decided later (for the policy, when a person has answered an approval): what to
   * do with the message then. Meanwhile it is neither sent nor answered.
   */
  readonly deferred?: Promise<Release>;
  /**
   * What km's own messages about this one (its answers now or on release) are about, copied to
   * their events: the gate's name for a decision that spans messages (an approval's id).
   */
  readonly about?: string;
  /** Carried to the message's event for the records; the relay does not read it. */
  readonly summary: DecisionSummary;
}

/** What happens to a deferred message in the end. */
export type Release = Omit<Verdict, "summary" | "deferred" | "about">;

/** Decides what happens to each message before it is forwarded (the policy engine). */
export interface Gate {
  decide(event: MessageEvent, raw: Uint8Array): Verdict;
}
