/**
 * Calls a person approved, remembered so that the same call is not asked about twice: not its
 * response (an `ask` rule that does not say `input.kind == "request"` matches both), and not,
 * in MCP 2026-07-28, the retries its server asks for by answering `input_required` with a
 * `requestState` of its own (the client sends the same request again with that state: the
 * call the person approved, continued). A continuation must carry a state the server gave in
 * answer to an approved request and be that request, params for params (input_required.ts's
 * hash); anything else is judged afresh. Pure; bounded.
 */
import { objectOr } from "../json_object.ts";
import { heldRequestHash } from "../approval/input_required.ts";
import type { MessageEvent } from "../relay/events.ts";
import { trimOldest } from "../trim_oldest.ts";

/** Approved requests awaiting their response, and server states awaiting their retry: at most. */
const KEPT = 1024;

interface Approved {
  readonly approval: string;
  /** The request's hash (method, params less retry members); undefined if unreadable. */
  readonly hash: string | undefined;
}

type Obj = Record<string, unknown>;

export class ApprovedCalls {
  /** Id key of a client request sent on with a person's approval → the approval. */
  readonly #requests = new Map<string, Approved>();
  /** A server's `requestState` in answer to an approved request → that approval. */
  readonly #states = new Map<string, Approved>();

  /** The client's request `event` goes to the server with approval `approval`. */
  approved(event: MessageEvent, approval: string): void {
    const m = event.message;
    if (event.direction !== "client_to_server" || m.kind !== "request") return;
    this.#requests.delete(m.id.key);
    this.#requests.set(m.id.key, { approval, hash: heldRequestHash(event.text, m.method) });
    trimOldest(this.#requests, KEPT);
  }

  /**
   * For a server's answer: the approval its request went with, if any. Learns the server's
   * `requestState` when the answer asks for more input.
   */
  answered(event: MessageEvent): string | undefined {
    const m = event.message;
    const request = event.correlation?.request;
    // A server's answer answers a client's request.
    if (event.direction !== "server_to_client" || !request) return undefined;
    if (m.kind !== "response" && m.kind !== "error") return undefined;
    const approved = this.#requests.get(request.id.key);
    if (!approved) return undefined;
    this.#requests.delete(request.id.key);
    const result = m.kind === "response" ? objectOr(m.result) : undefined;
    if (result?.resultType === "input_required" && typeof result.requestState === "string") {
      this.#states.delete(result.requestState);
      this.#states.set(result.requestState, approved);
      trimOldest(this.#states, KEPT);
    }
    return approved.approval;
  }

  /**
   * For a client's request: the approval it continues (it carries a `requestState` its server
   * gave an approved request, and is that request), or undefined. A state serves once.
   */
  continued(event: MessageEvent): string | undefined {
    const m = event.message;
    if (event.direction !== "client_to_server" || m.kind !== "request") return undefined;
    if (this.#states.size === 0) return undefined;
    const state = objectOr(m.params)?.requestState;
    if (typeof state !== "string") return undefined;
    const approved = this.#states.get(state);
    if (!approved || approved.hash === undefined) return undefined;
    if (heldRequestHash(event.text, m.method) !== approved.hash) return undefined;
    this.#states.delete(state);
    return approved.approval;
  }
}
