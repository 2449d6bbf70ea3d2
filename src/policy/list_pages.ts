/**
 * List requests awaiting their answers (`tools/list`, and others a caller names), with whether
 * each asked for a next page (it had a `cursor`): a first page replaces what was listed, a next
 * page adds to it. The session state and the pins both learn listings; each keeps one of these.
 * Bounded: a client has one or two lists pending.
 */
import type { PendingRequest } from "../jsonrpc/correlation.ts";
import type { RequestMessage } from "../jsonrpc/message.ts";
import { trimOldest } from "../trim_oldest.ts";

/** List requests awaiting their answer, at most. */
const MAX_PENDING_LISTS = 64;

export class ListPages {
  readonly #methods: (method: string) => boolean;
  /** Id key of each pending list request to whether it asked for a next page. */
  readonly #pending = new Map<string, boolean>();

  /** `methods`: which requests are list requests. */
  constructor(methods: (method: string) => boolean) {
    this.#methods = methods;
  }

  /** A client's request: remembered when it is a list request (a reused id: the newer counts). */
  requested(message: RequestMessage): void {
    if (!this.#methods(message.method)) return;
    const cursor = (message.params as { cursor?: unknown } | undefined)?.cursor;
    this.#pending.delete(message.id.key);
    this.#pending.set(message.id.key, cursor !== undefined && cursor !== null);
    trimOldest(this.#pending, MAX_PENDING_LISTS);
  }

  /**
   * The server answered `request`: whether it asked for a next page, and forgets it; undefined
   * when it is not a list request.
   */
  answered(request: PendingRequest): boolean | undefined {
    if (!this.#methods(request.method)) return undefined;
    const nextPage = this.#pending.get(request.id.key) ?? false;
    this.#pending.delete(request.id.key);
    return nextPage;
  }
}
