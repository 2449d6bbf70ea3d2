/**
 * The client's requests the server left unanswered when it exited. km answers them with an
 * error so that the client does not wait for its timeout, but never where that answer would be
 * one too many:
 *
 * - a request the client cancelled (`notifications/cancelled`): its SDK has forgotten the id,
 *   and an answer is an error on its side ("unknown message ID");
 * - a request the client may already take as answered: the server sent a response whose id
 *   km matched to no request, but that the client may read as this request's id. A Node server
 *   turns the id 12345678901234567890 into 12345678901234567000; a JavaScript client reads both
 *   as the same number, so km's answer to the original id would be a second answer.
 *
 * km cannot know how the client reads ids, so it takes every reading a mainstream client makes
 * (exact, the SDKs' loose matching, JavaScript numbers): when in doubt, no second answer.
 */
import { looseKeys, type PendingRequest } from "../jsonrpc/correlation.ts";
import { type Id, idKeyOf, type Message } from "../jsonrpc/message.ts";
import type { MessageEvent } from "../relay/events.ts";
import { trimOldest } from "../trim_oldest.ts";

/**
 * Closing ids remembered, at most. Only responses km matched to no request and cancellations
 * are remembered, so a session reaches this only when a peer floods km with them; past it the
 * oldest are forgotten, and a request they closed may be answered at exit after all.
 */
export const MAX_CLOSED_IDS = 10_000;

/** The id keys (as `Id.key`) a client may read `id` as. */
export function idReadings(id: Id): string[] {
  const readings = new Set([id.key, ...looseKeys(id)]);
  // A JavaScript client holds a number id as a double: 12345678901234567890 and
  // 12345678901234567000 are the same id to it.
  if (!id.raw.startsWith('"')) {
    const value = Number(id.raw);
    if (Number.isFinite(value)) readings.add(JSON.stringify(value));
  }
  return [...readings];
}

/** Why km did not answer a pending request, and the record (`seq`) that closed it. */
export interface Closed {
  readonly how: "cancelled" | "answered";
  /** Absent when the id was forgotten (see `MAX_CLOSED_IDS`) but correlation knew. */
  readonly seq?: number;
}

/** What the client has seen that closes an id: responses km matched to nothing, cancellations. */
export class ClosedIds {
  readonly #closed = new Map<string, Closed>();

  /** Called for every relayed message; cheap for all but the rare ones it remembers. */
  observe(event: MessageEvent): void {
    const items: readonly { message: Message; correlation?: unknown }[] = event.items ??
      [event];
    for (const item of items) {
      const m = item.message;
      if (event.direction === "server_to_client") {
        // Only what reached the client: a blocked response answered nothing.
        if (!event.forwarded || item.correlation || (m.kind !== "response" && m.kind !== "error")) {
          continue;
        }
        if (m.id) this.#note(m.id, { how: "answered", seq: event.seq });
      } else if (m.kind === "notification" && m.method === "notifications/cancelled") {
        // The client forgets the id when it sends the cancellation, forwarded or not.
        const requestId = (m.params as { requestId?: unknown } | undefined)?.requestId;
        const key = idKeyOf(requestId);
        if (key !== undefined) this.#note({ raw: key, key }, { how: "cancelled", seq: event.seq });
      }
    }
  }

  /** What closed `request` after it was sent, if anything did. */
  closing(request: PendingRequest): Closed | undefined {
    for (const reading of idReadings(request.id)) {
      const closed = this.#closed.get(reading);
      if (closed?.seq !== undefined && closed.seq > request.seq) return closed;
    }
    return request.cancelled ? { how: "cancelled" } : undefined;
  }

  #note(id: Id, closed: Closed): void {
    for (const reading of idReadings(id)) {
      this.#closed.delete(reading); // re-inserted as the newest
      this.#closed.set(reading, closed);
    }
    trimOldest(this.#closed, MAX_CLOSED_IDS);
  }
}

/** The pending requests km answers, and those it must not, with why. */
export function sortAbandoned(
  pending: readonly PendingRequest[],
  closed: ClosedIds,
): { answer: PendingRequest[]; skip: { request: PendingRequest; closed: Closed }[] } {
  const answer: PendingRequest[] = [];
  const skip: { request: PendingRequest; closed: Closed }[] = [];
  for (const request of pending) {
    const closing = closed.closing(request);
    if (closing) skip.push({ request, closed: closing });
    else answer.push(request);
  }
  return { answer, skip };
}
