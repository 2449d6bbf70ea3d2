/**
 * Builds the event of a line km wrote itself (see `KmMessageEvent`), parsed like a received
 * line so that its audit record has the same summary fields. Pure.
 */
import type { Correlation, Direction } from "../jsonrpc/correlation.ts";
import { parseLine } from "../jsonrpc/parse_line.ts";
import type { KmMessageEvent } from "./events.ts";

export interface KmMessageInit {
  readonly direction: Direction;
  readonly seq: number;
  readonly at: number;
  /** The line as written, `\n` included. */
  readonly bytes: Uint8Array;
  readonly causeSeq: number;
  /** What it is about (`Verdict.about`). */
  readonly about?: string;
  /**
   * The requests it answers, in order: one for an answer, one per element for a batch of
   * answers; none for a request or notification of km's own.
   */
  readonly answers?: readonly (Correlation | undefined)[];
  readonly forwarded: boolean;
}

export function kmMessageEvent(init: KmMessageInit): KmMessageEvent {
  const { bytes, answers = [] } = init;
  const content = bytes.at(-1) === 0x0a ? bytes.subarray(0, -1) : bytes;
  const { message, text } = parseLine(content);
  const batch = message.kind === "batch";
  return {
    origin: "km",
    direction: init.direction,
    seq: init.seq,
    at: init.at,
    size: bytes.length,
    message,
    text,
    correlation: batch ? undefined : answers[0],
    items: batch
      ? message.items.map((item, i) => ({ message: item, correlation: answers[i] }))
      : undefined,
    causeSeq: init.causeSeq,
    about: init.about,
    forwarded: init.forwarded,
  };
}
