/**
 * The session's pins as the decision path sees them: each list response (`tools/list`,
 * `prompts/list`, `resources/templates/list`) handed to the pin tracker once, before its
 * decision, and what it found kept for that response's input (`input.pins`) and for the calls
 * of each tool (`input.tool.pin`). See src/pins/ for the comparison itself.
 */
import type { Direction, PendingRequest } from "../jsonrpc/correlation.ts";
import type { Message } from "../jsonrpc/message.ts";
import { parseLineWhole, withoutTerminator } from "../jsonrpc/parse_line.ts";
import type { ItemPin } from "../pins/compare.ts";
import { LIST_METHODS, type ListKind } from "../pins/definition.ts";
import type { PinTracker } from "../pins/tracker.ts";
import type { MessageEvent } from "../relay/events.ts";
import { ListPages } from "./list_pages.ts";
import type { SessionState } from "./session_state.ts";

type Obj = Record<string, unknown>;

/** `input.pins`: a list response compared with the pins. */
export interface PolicyPins {
  readonly kind: ListKind;
  /** A first page without `nextCursor`: only then are `removed` names known. */
  readonly complete: boolean;
  /** Every listed name: `{status, first_seen, hash, labels, changed?, added_labels?}`. */
  readonly items: Readonly<Record<string, ItemPin>>;
  /** Pinned names the (complete) listing no longer has. */
  readonly removed: readonly string[];
}

export class SessionPins {
  readonly #tracker: PinTracker;
  readonly #state: SessionState;
  /** Pending list requests, and which asked for a next page. */
  readonly #lists = new ListPages((method) => Object.hasOwn(LIST_METHODS, method));
  /** The comparisons of the latest event, by the id key of the response. */
  #latest = new Map<string, PolicyPins>();
  #latestSeq = -1;

  constructor(tracker: PinTracker, state: SessionState) {
    this.#tracker = tracker;
    this.#state = state;
  }

  /**
   * Looks at one event before its decision (once per event; again does nothing). `raw`, the
   * line's bytes, lets a large line whose skeleton had strings cut be read whole.
   */
  examine(event: MessageEvent, raw?: Uint8Array): void {
    if (event.seq === this.#latestSeq) return;
    this.#latestSeq = event.seq;
    if (this.#latest.size > 0) this.#latest = new Map();
    const m = event.message;
    if (m.kind === "batch") {
      for (const item of event.items ?? []) {
        this.#one(event.direction, item.message, item.correlation?.request, event.seq);
      }
      return;
    }
    const whole = event.elided > 0 && raw && isListResponse(event)
      ? parseLineWhole(withoutTerminator(raw)).message
      : m;
    this.#one(event.direction, whole, event.correlation?.request, event.seq);
  }

  /** `input.pins` for a list response examined last; undefined for anything else. */
  listing(message: Message): PolicyPins | undefined {
    if (message.kind !== "response" || this.#latest.size === 0) return undefined;
    return this.#latest.get(message.id.key);
  }

  /** `input.tool.pin`: the tool as the latest tools listing compared it. */
  tool(name: string): ItemPin | undefined {
    return this.#tracker.tool(name);
  }

  #one(direction: Direction, m: Message, request: PendingRequest | undefined, seq: number) {
    if (direction === "client_to_server") {
      if (m.kind === "request") this.#lists.requested(m);
      return;
    }
    if (!request || (m.kind !== "response" && m.kind !== "error")) return;
    const nextPage = this.#lists.answered(request);
    if (nextPage === undefined || m.kind !== "response") return;
    const { kind, member } = LIST_METHODS[request.method];
    const result = m.result as Obj | undefined;
    const items = typeof result === "object" && result !== null ? result[member] : undefined;
    if (!Array.isArray(items)) return;
    const nextCursor = result?.nextCursor;
    const firstPage = !nextPage;
    const info = this.#state.snapshot().server.info;
    const comparison = this.#tracker.listed(kind, items, {
      serverName: typeof info?.name === "string" ? info.name : "",
      firstPage,
      complete: firstPage && (nextCursor === undefined || nextCursor === null),
      seq,
    });
    this.#latest.set(m.id.key, {
      kind,
      complete: comparison.complete,
      // fromEntries defines own members: a tool named "__proto__" is a member like any other.
      items: Object.fromEntries(comparison.items),
      removed: comparison.removed,
    });
  }
}

function isListResponse(event: MessageEvent): boolean {
  const method = event.correlation?.request.method;
  return method !== undefined && Object.hasOwn(LIST_METHODS, method);
}
