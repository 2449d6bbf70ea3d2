/**
 * What km has learned about the session from the traffic, for policy inputs: who the client and
 * server say they are, the protocol version they agreed on, the tools the server offers and how
 * often each has been called. Learned facts come from the messages themselves, so they are
 * claims by the peers, not verified identities.
 */
import { objectOr } from "../json_object.ts";
import { type Direction, type PendingRequest, toolOf } from "../jsonrpc/correlation.ts";
import type { Message } from "../jsonrpc/message.ts";
import type { MessageEvent } from "../relay/events.ts";
import { ListPages } from "./list_pages.ts";

type Obj = Record<string, unknown>;

/** Who km is relaying for: known before the first message. */
export interface SessionInfo {
  readonly id: string;
  readonly server: { readonly name: string; readonly command: readonly string[] };
}

/** The session as far as it is known; members are absent until the traffic has shown them. */
export interface SessionFacts {
  readonly id: string;
  readonly server: {
    readonly name: string;
    readonly command: readonly string[];
    readonly info?: Obj;
    readonly capabilities?: Obj;
  };
  readonly client: {
    readonly info?: Obj;
    readonly capabilities?: Obj;
    /** The version the client asked for in `initialize`, or its latest request's `_meta` named. */
    readonly protocolVersion?: string;
  };
  /**
   * The version in force: the server's answer to `initialize`, or, in a session without one
   * (MCP 2026-07-28, opened by `server/discover`), the version the latest request carried.
   */
  readonly protocolVersion?: string;
}

/** The `_meta` keys of MCP 2026-07-28 that say who sent a request and how. */
const META_VERSION = "io.modelcontextprotocol/protocolVersion";
const META_CLIENT_INFO = "io.modelcontextprotocol/clientInfo";
const META_CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
const META_SERVER_INFO = "io.modelcontextprotocol/serverInfo";

export interface CallCount {
  readonly calls: number;
  /** Calls in the 60 s before the reading. */
  readonly lastMinute: number;
}

export interface CallStats {
  readonly total: CallCount;
  /** Only tools that have been called, in order of their first call. */
  readonly tools: ReadonlyMap<string, CallCount>;
}

/** The sliding window of `CallCount.lastMinute`. */
export const RATE_WINDOW_MS = 60_000;

/**
 * Names the server never listed that get call counters of their own, at most. Calls of more
 * names than this (typos, or a client inventing names by the thousand) count in the totals
 * only: the statistics every policy input carries stay small, and a listed tool is always
 * counted, however many invented names came first.
 */
export const MAX_UNLISTED_TOOLS = 256;

/**
 * Session facts and call statistics, fed every message event after its decision.
 *
 * @example
 * const state = new SessionState({ id, server: { name, command } }, () => performance.now());
 * const input = policyInput(event, state, "enforce"); // stats as before this message
 * state.observe(event, forwarded);
 */
export class SessionState {
  readonly #info: SessionInfo;
  readonly #now: () => number;
  #client: SessionFacts["client"] = {};
  #server: { info?: Obj; capabilities?: Obj } = {};
  #protocolVersion?: string;
  /** The protocol version the latest client request's `_meta` carried. */
  #metaVersion?: string;
  #tools = new Map<string, Obj>();
  /** Pending tools/list requests, and which asked for a next page. */
  readonly #lists = new ListPages((method) => method === "tools/list");
  readonly #total = new CallCounter();
  readonly #calls = new Map<string, CallCounter>();
  /** Counters in `#calls` of names that were not listed when first called. */
  #unlisted = 0;

  /** `now` is a monotonic clock in milliseconds (the relay's `Clock.now`). */
  constructor(info: SessionInfo, now: () => number) {
    this.#info = info;
    this.#now = now;
  }

  /**
   * Learns from one event. `forwarded` says whether the message reached the other side (false
   * when policy denied it): only forwarded `tools/call` requests count as calls.
   */
  observe(event: MessageEvent, forwarded: boolean): void {
    if (event.message.kind === "batch") {
      for (const item of event.items ?? []) {
        this.#learn(event.direction, item.message, item.correlation?.request, forwarded);
      }
    } else {
      this.#learn(event.direction, event.message, event.correlation?.request, forwarded);
    }
  }

  /**
   * Learns, before a client's request is judged, what its `_meta` says of the client (MCP
   * 2026-07-28 puts the protocol version, client info and capabilities on every request), so
   * that the request's own decision and approval already know them.
   */
  introduce(event: MessageEvent): void {
    const m = event.message;
    if (event.direction !== "client_to_server" || m.kind !== "request") return;
    const meta = objectOr(objectOr(m.params)?._meta);
    if (!meta) return;
    const version = meta[META_VERSION];
    const info = objectOr(meta[META_CLIENT_INFO]);
    const capabilities = objectOr(meta[META_CLIENT_CAPABILITIES]);
    if (typeof version !== "string" && !info && !capabilities) return;
    this.#client = {
      ...this.#client,
      ...member("info", info),
      ...member("capabilities", capabilities),
      ...member("protocolVersion", typeof version === "string" ? version : undefined),
    };
    if (typeof version === "string") this.#metaVersion = version;
  }

  /** The definition of `name` from the server's latest tools/list, if it listed it. */
  toolDefinition(name: string): Obj | undefined {
    return this.#tools.get(name);
  }

  /** The session as learned so far, for `input.session`. */
  snapshot(): SessionFacts {
    const { id, server } = this.#info;
    return {
      id,
      server: { name: server.name, command: server.command, ...this.#server },
      client: this.#client,
      ...member("protocolVersion", this.#protocolVersion ?? this.#metaVersion),
    };
  }

  /** Call counts as of now; reading forgets calls older than the window. */
  callStats(): CallStats {
    const now = this.#now();
    const tools = new Map<string, CallCount>();
    for (const [name, counter] of this.#calls) tools.set(name, counter.read(now));
    return { total: this.#total.read(now), tools };
  }

  #learn(
    direction: Direction,
    message: Message,
    request: PendingRequest | undefined,
    forwarded: boolean,
  ) {
    // Session facts come from client requests and the server's answers to them; a response
    // that answers no request (a duplicate, or one the server made up) teaches nothing.
    if (message.kind === "request" && direction === "client_to_server") {
      const params = objectOr(message.params);
      switch (message.method) {
        case "initialize": {
          const version = params?.protocolVersion;
          this.#client = {
            ...member("info", objectOr(params?.clientInfo)),
            ...member("capabilities", objectOr(params?.capabilities)),
            ...member("protocolVersion", typeof version === "string" ? version : undefined),
          };
          break;
        }
        case "tools/list":
          this.#lists.requested(message);
          break;
        case "tools/call":
          if (forwarded) this.#countCall(toolOf(message.method, message.params));
          break;
      }
      return;
    }
    if (direction !== "server_to_client" || !request) return;
    if (message.kind !== "response" && message.kind !== "error") return;
    const nextPage = this.#lists.answered(request);
    if (nextPage !== undefined) {
      if (message.kind === "response") this.#learnTools(message.result, nextPage);
    } else if (request.method === "initialize" && message.kind === "response") {
      const result = objectOr(message.result);
      const version = result?.protocolVersion;
      this.#server = {
        ...member("info", objectOr(result?.serverInfo)),
        ...member("capabilities", objectOr(result?.capabilities)),
      };
      this.#protocolVersion = typeof version === "string" ? version : undefined;
    } else if (request.method === "server/discover" && message.kind === "response") {
      const result = objectOr(message.result);
      this.#server = {
        ...member("info", objectOr(objectOr(result?._meta)?.[META_SERVER_INFO])),
        ...member("capabilities", objectOr(result?.capabilities)),
      };
    }
  }

  /** A first page replaces what was known (tools may have been removed); later pages add. */
  #learnTools(result: unknown, nextPage: boolean) {
    const tools = objectOr(result)?.tools;
    if (!Array.isArray(tools)) return;
    const known = nextPage ? this.#tools : new Map<string, Obj>();
    for (const tool of tools) {
      const definition = objectOr(tool);
      if (typeof definition?.name === "string") known.set(definition.name, definition);
    }
    this.#tools = known;
  }

  #countCall(name: string | undefined) {
    const now = this.#now();
    this.#total.add(now);
    if (name === undefined) return; // still a call (the server will reject it), of no tool
    let counter = this.#calls.get(name);
    if (!counter) {
      if (!this.#tools.has(name)) {
        if (this.#unlisted >= MAX_UNLISTED_TOOLS) return;
        this.#unlisted++;
      }
      this.#calls.set(name, counter = new CallCounter());
    }
    counter.add(now);
  }
}

/**
 * A call count and the times of the calls still inside the window. Old times are dropped from
 * the front in amortised constant time, so memory stays within twice the calls of one window.
 */
class CallCounter {
  #calls = 0;
  #times: number[] = [];
  #head = 0;

  add(now: number) {
    this.#calls++;
    this.#prune(now);
    this.#times.push(now);
  }

  read(now: number): CallCount {
    this.#prune(now);
    return { calls: this.#calls, lastMinute: this.#times.length - this.#head };
  }

  #prune(now: number) {
    const times = this.#times;
    const cutoff = now - RATE_WINDOW_MS;
    let head = this.#head;
    while (head < times.length && times[head] <= cutoff) head++;
    if (head === times.length) {
      times.length = 0;
      head = 0;
    } else if (head * 2 >= times.length) {
      times.splice(0, head);
      head = 0;
    }
    this.#head = head;
  }
}

/** `{ [key]: value }`, or nothing when the value is absent: members are omitted, never null. */
function member<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
