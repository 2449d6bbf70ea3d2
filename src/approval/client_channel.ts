/**
 * The client channel: asks the person through the MCP client's own UI with an
 * `elicitation/create` request that km originates. km's request ids carry a random prefix and
 * are checked against the server's pending ids, so they never clash; the client's answer is
 * consumed here and never reaches the server. When the approval ends elsewhere, km cancels its
 * request so the client can take the prompt down.
 */
import type { MessageEvent } from "../relay/events.ts";
import type { ApprovalChannel, ChannelHandle, ChannelReply, Pending } from "./broker.ts";
import { elicitationParams, elicitationUnavailable, readElicitationResult } from "./elicitation.ts";

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

  constructor(options: ClientChannelOptions) {
    this.#options = options;
    const nonce = options.nonce ?? crypto.randomUUID().slice(0, 8);
    this.#prefix = `km-approval-${nonce}-`;
  }

  open(pending: Pending, reply: ChannelReply): ChannelHandle | string {
    if (this.#gone) return this.#gone;
    const facts = this.#options.facts();
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
