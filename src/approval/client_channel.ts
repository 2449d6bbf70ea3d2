/**
 * The client channel: asks the person through the MCP client's own UI with an
 * `elicitation/create` request that km originates. km's request ids carry a random prefix and
 * are checked against the server's pending ids, so they never clash; the client's answer is
 * consumed here and never reaches the server. When the approval ends elsewhere, km cancels its
 * request so the client can take the prompt down.
 *
 * From protocol 2026-07-28 a server may not send requests, so km asks inside its answer to the
 * held request instead (an `input_required` result, input_required.ts) and reads the person's
 * answer from the client's retry of that request, whose `requestState` km signed
 * (request_state.ts); the retry, less km's members, is what then goes to the server.
 */
import type { MessageEvent } from "../relay/events.ts";
import type { ApprovalChannel, ChannelHandle, ChannelReply, Pending } from "./broker.ts";
import {
  elicitationParams,
  elicitationUnavailable,
  FIRST_WITHOUT_SERVER_REQUESTS,
  formElicitationMissing,
  readElicitationResult,
} from "./elicitation.ts";
import {
  heldRequestHash,
  INPUT_REQUIRED_METHODS,
  inputRequiredResponse,
  readRetry,
} from "./input_required.ts";
import { isKmState, signState, verifyState } from "./request_state.ts";

export interface ClientFacts {
  readonly capabilities?: Record<string, unknown>;
  readonly protocolVersion?: string;
  /** `clientInfo.name` and version, for "who answered". */
  readonly name?: string;
}

export interface ClientChannelOptions {
  readonly server: string;
  /** What the client declared in `initialize` and the version agreed, as of now. */
  readonly facts: () => ClientFacts;
  /** Writes km's line about an approval to the client (after anything already being written). */
  readonly send: (bytes: Uint8Array, about: Pending) => void;
  /** Whether the server has a request with this id key pending towards the client. */
  readonly serverIdInUse: (key: string) => boolean;
  /** Random text that makes km's ids unguessable; fixed in tests. */
  readonly nonce?: string;
  /** The session id, bound into every `requestState` km signs. */
  readonly session: string;
  /** Epoch milliseconds, to expire `requestState`s. */
  readonly epochMs: () => number;
  /** The key `requestState`s are signed with: random per process unless a test fixes it. */
  readonly stateKey?: Uint8Array;
}

/** A client's retry of a request km answered with its question, as the enforcer applies it. */
export type RetryResult =
  /** The retry, less km's members: sent on once (and if) the approval ends approved. */
  | { readonly approvalId: string; readonly forward: Uint8Array }
  /** km refuses the retry: it cannot be tied to a question km asked of this request. */
  | { readonly error: string };

/** A question asked inside an `input_required` answer, waiting for the request's retry. */
interface AskedInResult {
  readonly pending: Pending;
  readonly reply: ChannelReply;
  readonly hash: string;
  /** A retry came: the state cannot be used again. */
  used: boolean;
}

/** Ids of km's requests that ended, so a late answer is still consumed; bounded. */
const ENDED_KEPT = 1024;

const encoder = new TextEncoder();

export class ClientChannel implements ApprovalChannel {
  readonly name = "client";
  readonly #options: ClientChannelOptions;
  readonly #prefix: string;
  #next = 0;
  /** Id key (JSON text) → the approval it asks about. */
  readonly #asked = new Map<string, { pending: Pending; reply: ChannelReply }>();
  readonly #ended = new Set<string>();
  #gone: string | undefined;
  readonly #stateKey: Uint8Array;
  /** Approval id → the question asked in an `input_required` answer; bounded. */
  readonly #inResult = new Map<string, AskedInResult>();

  constructor(options: ClientChannelOptions) {
    this.#options = options;
    const nonce = options.nonce ?? crypto.randomUUID().slice(0, 8);
    this.#prefix = `km-approval-${nonce}-`;
    this.#stateKey = options.stateKey ?? crypto.getRandomValues(new Uint8Array(32));
  }

  open(pending: Pending, reply: ChannelReply): ChannelHandle | string {
    if (this.#gone) return this.#gone;
    const facts = this.#options.facts();
    if (
      facts.protocolVersion !== undefined && facts.protocolVersion >= FIRST_WITHOUT_SERVER_REQUESTS
    ) {
      return this.#askInResult(pending, reply, facts);
    }
    const why = elicitationUnavailable(facts.capabilities, facts.protocolVersion);
    if (why) return why;
    let id: string;
    do id = `${this.#prefix}${++this.#next}`; while (
      this.#options.serverIdInUse(JSON.stringify(id))
    );
    const key = JSON.stringify(id);
    this.#asked.set(key, { pending, reply });
    const params = elicitationParams(pending, this.#options.server, pending.request.arguments);
    this.#write(pending, { jsonrpc: "2.0", id, method: "elicitation/create", params });
    queueMicrotask(() => reply.note(`asked (elicitation/create ${key})`));
    return {
      end: (_pending, resolution) => {
        if (!this.#asked.delete(key)) return;
        this.#remember(key);
        if (resolution.channel === "client" || this.#gone) return;
        this.#write(pending, {
          jsonrpc: "2.0",
          method: "notifications/cancelled",
          params: { requestId: id, reason: `approval ended: ${resolution.outcome}` },
        });
      },
    };
  }

  /**
   * Takes the client's answer to one of km's requests. Returns a note for the audit record
   * when the message was km's (it must not be forwarded), else undefined.
   */
  consume(event: MessageEvent): string | undefined {
    const m = event.message;
    if (event.direction !== "client_to_server") return undefined;
    if (m.kind !== "response" && m.kind !== "error") return undefined;
    if (!m.id) return undefined;
    const key = m.id.key;
    const asked = this.#asked.get(key);
    if (!asked) {
      return this.#ended.has(key) ? `late answer to km's approval request ${key}` : undefined;
    }
    this.#asked.delete(key);
    this.#remember(key);
    const note = `answer to km's approval request for ${asked.pending.id}`;
    if (m.kind === "error") {
      asked.reply.fail(`the client answered with error ${m.error.code}: ${m.error.message}`);
      return note;
    }
    const read = readElicitationResult(m.result);
    if ("error" in read) {
      asked.reply.fail(read.error);
      return note;
    }
    const facts = this.#options.facts();
    asked.reply.answer(read.answer, `the user in ${facts.name ?? "the MCP client"} (${read.how})`);
    return note;
  }

  /**
   * A client's request, if it is the retry of one km answered with its question: the person's
   * answer goes to the approval, and the result says what to send on, or why not. Undefined
   * for any other request (a server's own `requestState` is not km's business).
   */
  retried(event: MessageEvent): RetryResult | undefined {
    const m = event.message;
    if (event.direction !== "client_to_server" || m.kind !== "request") return undefined;
    // The parsed params say it at no cost; only a retry of km's is read again as text.
    if (!isKmState((m.params as { requestState?: unknown } | undefined)?.requestState)) {
      return undefined;
    }
    const retry = readRetry(event.text, m.method);
    if (retry === undefined) return undefined;
    if ("error" in retry) return retry;
    const claims = verifyState(retry.state, this.#stateKey, this.#options.epochMs());
    if ("error" in claims) return claims;
    const asked = this.#inResult.get(claims.approval);
    if (claims.session !== this.#options.session || asked === undefined) {
      return {
        error: `the requestState names approval ${claims.approval}, unknown to this session`,
      };
    }
    if (asked.used) {
      return { error: `approval ${claims.approval} was already used by an earlier retry` };
    }
    // The state is signed over this same hash: one comparison covers both.
    if (retry.hash !== asked.hash) {
      return {
        error:
          `the retry is not the request approval ${claims.approval} asked about (its method or params differ)`,
      };
    }
    asked.used = true;
    if (retry.answer !== undefined) {
      const read = readElicitationResult(retry.answer);
      if ("error" in read) asked.reply.fail(read.error);
      else {
        const name = this.#options.facts().name ?? "the MCP client";
        asked.reply.answer(read.answer, `the user in ${name} (${read.how})`);
      }
    }
    return { approvalId: asked.pending.id, forward: encoder.encode(retry.forward + "\n") };
  }

  /** Protocol 2026-07-28: the question goes in km's answer to the held request itself. */
  #askInResult(pending: Pending, reply: ChannelReply, facts: ClientFacts): ChannelHandle | string {
    const r = pending.request;
    if (r.direction !== "client_to_server" || !r.wire) {
      return "from protocol 2026-07-28 km can ask the client only about the client's own requests";
    }
    if (!INPUT_REQUIRED_METHODS.has(r.method)) {
      return `from protocol 2026-07-28 a ${r.method} request cannot be answered with a question (only ${
        [...INPUT_REQUIRED_METHODS].join(", ")
      })`;
    }
    const missing = formElicitationMissing(facts.capabilities);
    if (missing) return missing;
    const hash = heldRequestHash(r.wire.text, r.method);
    if (hash === undefined) return "the request's params cannot be read";
    const state = signState(
      {
        approval: pending.id,
        session: this.#options.session,
        request: hash,
        expiresAt: pending.expiresAt,
      },
      this.#stateKey,
    );
    this.#inResult.set(pending.id, { pending, reply, hash, used: false });
    if (this.#inResult.size > ENDED_KEPT) {
      this.#inResult.delete(this.#inResult.keys().next().value!);
    }
    const params = elicitationParams(pending, this.#options.server, r.arguments);
    const line = inputRequiredResponse(r.wire.idText, params, state);
    queueMicrotask(() => reply.note("asked (input_required answer to the request)"));
    return {
      answerNow: encoder.encode(line + "\n"),
      // The answer comes with the retry; nothing to take down in the client.
      end: () => {},
    };
  }

  /** The client disconnected: nothing asked of it can be answered any more. */
  gone(reason: string): void {
    this.#gone = reason;
    const asked = [...this.#asked.values()];
    this.#asked.clear();
    for (const { reply } of asked) reply.fail(reason);
  }

  #write(about: Pending, message: unknown): void {
    this.#options.send(encoder.encode(JSON.stringify(message) + "\n"), about);
  }

  #remember(key: string): void {
    this.#ended.add(key);
    if (this.#ended.size > ENDED_KEPT) {
      this.#ended.delete(this.#ended.values().next().value!);
    }
  }
}
