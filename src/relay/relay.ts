/**
 * The relay core: two independent pumps, one per direction, that frame, classify, correlate
 * and forward messages. It knows nothing of processes or files: sources, sinks, the clock and
 * the observer are passed in, so tests run it over in-memory streams.
 *
 * Each pump awaits its own sink only, so a slow or stalled side holds back one direction and
 * never the other. Allowed messages are forwarded as the exact bytes received.
 */
import { type Correlation, Correlator, type Direction, opposite } from "../jsonrpc/correlation.ts";
import { type Frame, type LineFrame, LineFramer, type OversizedFrame } from "../jsonrpc/framing.ts";
import { idKeyOf, type Message } from "../jsonrpc/message.ts";
import { decodeLines, parseLine } from "../jsonrpc/parse_line.ts";
import { findOversizedId } from "../jsonrpc/oversized.ts";
import { JsonRpcError, RPC_CODES } from "../errors.ts";
import type {
  BatchItem,
  Clock,
  Gate,
  KmMessageEvent,
  MessageEvent,
  OversizedEvent,
  RecordSink,
  RelayObserver,
  Release,
  Side,
  Verdict,
} from "./events.ts";
import { concatBytes } from "../concat_bytes.ts";
import { frameReader } from "./frame_reader.ts";
import { kmMessageEvent } from "./km_message.ts";
import { refusal, requestsOf } from "./unrecorded.ts";
import type { ByteSink } from "./sink.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

type RelayEvent = MessageEvent | OversizedEvent | KmMessageEvent;

/** What correlation learns about one message. */
type Links = Pick<MessageEvent, "correlation" | "reusedId" | "cancels" | "tool">;

/** Both clock readings for one batch of frames. */
interface Time {
  readonly now: number;
  readonly at: number;
}

export interface RelayOptions {
  readonly maxMessageBytes: number;
  readonly clock: Clock;
  /** Hands out audit sequence numbers, shared with every other record of the session. */
  readonly nextSeq: () => number;
  readonly observer: RelayObserver;
  readonly correlator?: Correlator;
  /** The policy, when one is loaded: it decides what happens to each message. */
  readonly gate?: Gate;
  /** The audit log: each batch's records are written before the batch is forwarded. */
  readonly records?: RecordSink;
  /**
   * Refuse requests while their records cannot be written (`audit.onWriteFailure: block`):
   * their senders are answered with an error instead.
   */
  readonly refuseUnrecorded?: boolean;
}

/** The two ends of one side of the relay. */
export interface Endpoint {
  readonly output: ReadableStream<Uint8Array>;
  readonly input: ByteSink;
}

const DIRECTION_FROM: Record<Side, Direction> = {
  client: "client_to_server",
  server: "server_to_client",
};

export class Relay {
  readonly correlator: Correlator;
  readonly #options: RelayOptions;

  constructor(options: RelayOptions) {
    this.#options = options;
    this.correlator = options.correlator ?? new Correlator();
  }

  /** Runs both pumps until both sources end. */
  run(client: Endpoint, server: Endpoint): { client: Promise<void>; server: Promise<void> } {
    return {
      client: this.pump("client", client.output, server.input, client.input),
      server: this.pump("server", server.output, client.input, server.input),
    };
  }

  /** Relays what `from` writes into `to`; km's own replies to `from` go to `back`. */
  async pump(
    from: Side,
    source: ReadableStream<Uint8Array>,
    to: ByteSink,
    back: ByteSink,
  ): Promise<void> {
    const direction = DIRECTION_FROM[from];
    const framer = new LineFramer(this.#options.maxMessageBytes);
    const read = frameReader(source, framer);
    let failure: unknown;
    try {
      for (let frames = await read(); frames; frames = await read()) {
        // Frames are views into the framer's buffer: deliver them before the next read.
        await this.#deliver(direction, frames, to, back);
        framer.release();
      }
      await this.#deliver(direction, framer.end(), to, back);
    } catch (error) {
      failure = error;
    }
    this.#options.observer.ended(from, failure);
  }

  async #deliver(direction: Direction, frames: Frame[], to: ByteSink, back: ByteSink) {
    if (frames.length === 0) return;
    // Lines that arrived in one read arrived at the same time: read the clocks once.
    const time: Time = { now: this.#options.clock.now(), at: this.#options.clock.epochMs() };
    const texts = decodeLines(frames.map((f) => (f.kind === "line" ? f.raw : undefined)));
    const out: Uint8Array[] = [];
    /** For each of `out`: the message it forwards (none for km's own lines). */
    const sent: (Message | undefined)[] = [];
    const events: RelayEvent[] = [];
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i];
      if (frame.kind === "line") {
        this.#line(direction, frame, texts[i], time, to, back, out, events);
      } else events.push(this.#oversized(direction, frame, time, to, back, out));
      const event = events[events.length - 1];
      while (sent.length < out.length) sent.push("message" in event ? event.message : undefined);
    }
    const { observer, records, refuseUnrecorded } = this.#options;
    for (const event of events) {
      if ("origin" in event) observer.kmMessage(event);
      else if ("message" in event) observer.message(event);
      else observer.oversized(event);
    }
    // Record first: the bytes go on only once their records are in the file.
    if (records) {
      const recorded = records.flushSync?.() ?? await records.flush();
      if (!recorded && refuseUnrecorded) {
        this.#refuseSent(direction, out, sent, records, time, back);
      }
    }
    if (out.length > 0) await to.write(out.length === 1 ? out[0] : concatBytes(out));
  }

  /**
   * The records of these lines could not be written: their requests are not forwarded, and
   * their senders are told why. Everything else goes on.
   */
  #refuseSent(
    direction: Direction,
    out: Uint8Array[],
    sent: (Message | undefined)[],
    records: RecordSink,
    time: Time,
    back: ByteSink,
  ): void {
    for (let i = out.length - 1; i >= 0; i--) {
      const message = sent[i];
      const requests = message ? requestsOf(message) : [];
      if (requests.length === 0) continue;
      out.splice(i, 1);
      for (const request of requests) {
        this.correlator.response(opposite(direction), request.id, time.now);
      }
      void back.write(refusal(message!, records.failing()).bytes);
    }
  }

  #line(
    direction: Direction,
    frame: LineFrame,
    decoded: string | undefined,
    time: Time,
    to: ByteSink,
    back: ByteSink,
    out: Uint8Array[],
    events: RelayEvent[],
  ): void {
    const { message, text, elided, invalidUtf8 } = parseLine(frame.content, decoded);
    const seq = this.#options.nextSeq();
    // One object of one shape per message: the relay's hot path.
    const event: Mutable<MessageEvent> = {
      direction,
      seq,
      at: time.at,
      size: frame.raw.length,
      message,
      text,
      elided,
      invalidUtf8,
      decision: undefined,
      forwarded: false,
      terminated: frame.terminated,
      correlation: undefined,
      items: undefined,
      reusedId: undefined,
      cancels: undefined,
      tool: undefined,
    };
    if (message.kind === "batch") {
      event.items = message.items.map((item) => {
        const link: Mutable<Links> & BatchItem = { message: item, correlation: undefined };
        this.#correlate(direction, item, seq, time.now, link);
        return link;
      });
    } else {
      this.#correlate(direction, message, seq, time.now, event);
    }
    events.push(event);
    const failing = this.#options.refuseUnrecorded ? this.#options.records?.failing() : undefined;
    if (failing !== undefined && requestsOf(message).length > 0) {
      // The audit log cannot be written: a request would run unrecorded.
      const { bytes, summary } = refusal(message, failing);
      event.decision = summary;
      this.#reply(
        event,
        { replyToSender: bytes, answersRequest: true },
        time,
        { to, back, toReceiver: (b) => out.push(b) },
        (e) => events.push(e),
      );
      return;
    }
    const gate = this.#options.gate;
    if (!gate) {
      event.forwarded = !to.broken;
      if (event.forwarded) out.push(frame.raw);
      return;
    }
    const verdict = gate.decide(event, frame.raw);
    event.decision = verdict.summary;
    event.forwarded = verdict.forward !== undefined && !to.broken;
    if (event.forwarded) out.push(verdict.forward!);
    if (verdict.replyToReceiver || verdict.replyToSender || verdict.answersRequest) {
      this.#reply(event, verdict, time, { to, back, toReceiver: (b) => out.push(b) }, (e) => {
        events.push(e);
      });
    }
    if (verdict.deferred) {
      void verdict.deferred.then((release) => {
        const now = this.#options.clock.now();
        const later: Time = { now, at: this.#options.clock.epochMs() };
        if (release.forward && !to.broken) void to.write(release.forward);
        const toReceiver = (bytes: Uint8Array) => void to.write(bytes);
        this.#reply(
          event,
          { ...release, about: verdict.about },
          later,
          { to, back, toReceiver },
          (e) => this.#options.observer.kmMessage(e),
        );
      });
    }
  }

  /**
   * km's own answers for a blocked (or held, then blocked) message: to its sender, or to the
   * receiver in place of a blocked response. Each is written and gets an event of its own.
   */
  #reply(
    event: MessageEvent,
    release: Release & Pick<Verdict, "about">,
    time: Time,
    sinks: { to: ByteSink; back: ByteSink; toReceiver: (bytes: Uint8Array) => void },
    report: (event: KmMessageEvent) => void,
  ): void {
    const { direction } = event;
    const { to, back } = sinks;
    const about = release.about;
    const own = (bytes: Uint8Array, toward: Direction, answers: (Correlation | undefined)[]) =>
      report(kmMessageEvent({
        direction: toward,
        seq: this.#options.nextSeq(),
        at: time.at,
        bytes,
        causeSeq: event.seq,
        about,
        answers,
        forwarded: !(toward === direction ? to : back).broken,
      }));
    if (release.replyToReceiver && !to.broken) {
      sinks.toReceiver(release.replyToReceiver);
      own(release.replyToReceiver, direction, [event.correlation]);
    }
    const answered = release.answersRequest
      ? this.#answered(direction, event.message, time.now)
      : [];
    if (release.replyToSender) {
      void back.write(release.replyToSender);
      own(release.replyToSender, opposite(direction), answered);
    }
  }

  /**
   * km answered a request (or a batch's requests) itself: the other side owes nothing. Returns
   * what correlation knew of each.
   */
  #answered(direction: Direction, message: Message, now: number): (Correlation | undefined)[] {
    const requests = message.kind === "batch" ? message.items : [message];
    const answered: (Correlation | undefined)[] = [];
    for (const item of requests) {
      if (item.kind === "request") {
        answered.push(this.correlator.response(opposite(direction), item.id, now));
      }
    }
    return answered;
  }

  /** Tracks requests, resolves responses and marks cancellations, noting what it learned. */
  #correlate(
    direction: Direction,
    message: Message,
    seq: number,
    now: number,
    into: Mutable<Links>,
  ) {
    const correlator = this.correlator;
    switch (message.kind) {
      case "request":
        if (correlator.request(direction, message, seq, now)) into.reusedId = true;
        into.tool = correlator.taskTool(message.method, message.params);
        break;
      case "response":
      case "error":
        if (message.id) into.correlation = correlator.response(direction, message.id, now);
        if (message.kind === "response") correlator.learnTask(into.correlation, message.result);
        break;
      case "notification": {
        into.tool = correlator.taskTool(message.method, message.params);
        if (message.method !== "notifications/cancelled") break;
        const key = idKeyOf((message.params as { requestId?: unknown } | undefined)?.requestId);
        if (key !== undefined) into.cancels = correlator.cancel(direction, key);
        break;
      }
    }
  }

  #oversized(
    direction: Direction,
    frame: OversizedFrame,
    time: Time,
    to: ByteSink,
    back: ByteSink,
    out: Uint8Array[],
  ): OversizedEvent {
    const { nextSeq, maxMessageBytes } = this.#options;
    const seq = nextSeq();
    const id = findOversizedId(frame.head, frame.tail);
    const error = new JsonRpcError(
      RPC_CODES.messageTooLarge,
      `Message of ${frame.size} bytes exceeds the proxy's limit of ${maxMessageBytes} bytes ` +
        `(km maxMessageBytes); it was not forwarded`,
    );
    let correlation: Correlation | undefined;
    let reply: OversizedEvent["reply"];
    if (id) {
      // A response to a pending request of the receiver: the receiver gets the error instead.
      // Otherwise it is taken to be a request, and its sender gets the error.
      const answersReceiver = this.correlator.peek(opposite(direction), id.key) !== undefined;
      const response = error.toResponse(id.raw) + "\n";
      const bytes = new TextEncoder().encode(response);
      if (answersReceiver) {
        correlation = this.correlator.response(direction, id, time.now);
        if (!to.broken) out.push(bytes);
        reply = { to: direction === "client_to_server" ? "server" : "client", response };
      } else {
        void back.write(bytes);
        reply = { to: direction === "client_to_server" ? "client" : "server", response };
      }
    }
    return {
      direction,
      seq,
      at: time.at,
      size: frame.size,
      limit: maxMessageBytes,
      head: frame.head,
      tail: frame.tail,
      id,
      correlation,
      reply,
    };
  }
}
