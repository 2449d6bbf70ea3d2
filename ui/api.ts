/**
 * The dashboard's client for `km ui`'s API (src/dashboard/api_types.ts): typed same-origin fetches that
 * turn `{error}` bodies into {@link ApiFailure}, and the server-sent event stream with
 * reconnection. Every call carries the token as `Authorization: Bearer` (ui/token.ts); no
 * cookie is sent or wanted.
 */
import type { ApprovalAnswer, ApprovalDone, PendingApproval } from "../src/approval/types.ts";
import type {
  AnswerAccepted,
  AnswerBody,
  ApprovalList,
  Hello,
  PinAcceptBody,
  PinAccepted,
  PinServerDetail,
  PinServerList,
  PolicyReport,
  RecordDetail,
  RecordFilter,
  RecordPage,
  RecordSummary,
  SessionList,
  SessionSummary,
  StatsReport,
} from "../src/dashboard/api_types.ts";
import { filterParams } from "../src/dashboard/filter.ts";
import { type SseEvent, sseParser } from "./sse.ts";
import { authHeaders } from "./token.ts";

/** What a 401 means for a person. */
export const UNAUTHORIZED_MESSAGE = "Not signed in. Run `km ui --open` to open the dashboard " +
  'signed in, or open the "signIn" address of ui.json in km\'s data folder.';

/** A failed API call: the HTTP status (0 when the server could not be reached) and its message. */
export class ApiFailure extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "ApiFailure";
  }
}

/** Whether an error is an aborted fetch (a newer request replaced it): not worth showing. */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}

function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return requestJson(path, { signal });
}

async function requestJson<T>(
  path: string,
  { signal, method = "GET", body }: { signal?: AbortSignal; method?: string; body?: unknown },
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      signal,
      credentials: "omit",
      headers: body === undefined
        ? { accept: "application/json", ...authHeaders() }
        : { accept: "application/json", "content-type": "application/json", ...authHeaders() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiFailure(0, `Cannot reach km ui (is it still running?): ${String(error)}`);
  }
  if (!response.ok) {
    if (response.status === 401) throw new ApiFailure(401, UNAUTHORIZED_MESSAGE);
    let detail = response.statusText;
    try {
      const body = await response.json();
      if (body && typeof body.error === "string") detail = body.error;
    } catch {
      // Not a JSON body: the status line says enough.
    }
    throw new ApiFailure(response.status, `${response.status}: ${detail}`);
  }
  return await response.json() as T;
}

/** `GET /api/records`: one page, newest first; `before` is the previous page's `next`. */
export function getRecords(
  filter: RecordFilter,
  page: { before?: string; limit?: number } = {},
  signal?: AbortSignal,
): Promise<RecordPage> {
  const params = filterParams(filter);
  if (page.before !== undefined) params.set("before", page.before);
  if (page.limit !== undefined) params.set("limit", String(page.limit));
  const query = params.toString();
  return getJson(`/api/records${query === "" ? "" : `?${query}`}`, signal);
}

/** `GET /api/records/<session>/<seq>`: one record with its request/response and stderr. */
export function getRecord(
  session: string,
  seq: number,
  signal?: AbortSignal,
): Promise<RecordDetail> {
  return getJson(`/api/records/${encodeURIComponent(session)}/${seq}`, signal);
}

/** `GET /api/sessions`, newest first. */
export function getSessions(signal?: AbortSignal): Promise<SessionList> {
  return getJson("/api/sessions", signal);
}

/** `GET /api/stats`, optionally for one session or server. */
export function getStats(
  scope: { session?: string; server?: string; tool?: string; since?: number },
  signal?: AbortSignal,
): Promise<StatsReport> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(scope)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  const query = params.toString();
  return getJson(`/api/stats${query === "" ? "" : `?${query}`}`, signal);
}

/** `GET /api/policy`: the policy of each session and the reload events. */
export function getPolicy(signal?: AbortSignal): Promise<PolicyReport> {
  return getJson("/api/policy", signal);
}

/** `GET /api/approvals`: the pending approvals, oldest first. */
export function getApprovals(signal?: AbortSignal): Promise<ApprovalList> {
  return getJson("/api/approvals", signal);
}

/**
 * `POST /api/approvals/<id>`: answers a pending approval. A 404 (an {@link ApiFailure} with
 * status 404) means it already ended: answered elsewhere, timed out or withdrawn.
 */
export function answerApproval(id: string, answer: ApprovalAnswer): Promise<AnswerAccepted> {
  const body: AnswerBody = { answer };
  return requestJson(`/api/approvals/${encodeURIComponent(id)}`, { method: "POST", body });
}

/** `GET /api/pins`: the servers with pins (the tool catalogue). */
export function getPins(signal?: AbortSignal): Promise<PinServerList> {
  return getJson("/api/pins", signal);
}

/** `GET /api/pins/<id>`: a server's pinned items, the changed ones with their diff. */
export function getPinServer(id: string, signal?: AbortSignal): Promise<PinServerDetail> {
  return getJson(`/api/pins/${encodeURIComponent(id)}`, signal);
}

/**
 * `POST /api/pins/<id>/accept`: the latest definitions seen become the pins: one item
 * (`{kind, name}`) or all (`{}`).
 */
export function acceptPins(id: string, body: PinAcceptBody): Promise<PinAccepted> {
  return requestJson(`/api/pins/${encodeURIComponent(id)}/accept`, { method: "POST", body });
}

/** The state of the live stream, for the header's indicator. */
export type LiveStatus = "connecting" | "open" | "reconnecting";

export interface LiveHandlers {
  status(status: LiveStatus): void;
  /** The first event of every connection; `reconnected` after a drop (the caller may refetch). */
  hello(hello: Hello, reconnected: boolean): void;
  record(record: RecordSummary): void;
  session(session: SessionSummary): void;
  /** A new pending approval. */
  approval(approval: PendingApproval): void;
  /** A pending approval ended. */
  approvalDone(done: ApprovalDone): void;
}

/**
 * Subscribes to `/api/events`, read with fetch so that the token goes in a header (EventSource
 * cannot send one). A stream that ends, fails or is refused (401, the server gone) is opened
 * again after a delay that grows while it keeps failing. Returns the function that stops
 * everything.
 */
export function subscribeEvents(
  handlers: LiveHandlers,
  options: { url?: string; minDelayMs?: number; maxDelayMs?: number } = {},
): () => void {
  const url = options.url ?? "/api/events";
  const minDelay = options.minDelayMs ?? 1000;
  const maxDelay = options.maxDelayMs ?? 30_000;
  let controller: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let delay = minDelay;
  let helloSeen = false;
  let stopped = false;

  const parse = (event: SseEvent): unknown => {
    try {
      return JSON.parse(event.data);
    } catch {
      return undefined; // A malformed event is skipped; the next page fetch shows the record.
    }
  };

  const dispatch = (event: SseEvent) => {
    if (stopped) return;
    const value = parse(event);
    if (value === undefined) return;
    switch (event.event) {
      case "hello":
        delay = minDelay;
        handlers.status("open");
        handlers.hello(value as Hello, helloSeen);
        helloSeen = true;
        return;
      case "record":
        return handlers.record(value as RecordSummary);
      case "session":
        return handlers.session(value as SessionSummary);
      case "approval":
        return handlers.approval(value as PendingApproval);
      case "approval_done":
        return handlers.approvalDone(value as ApprovalDone);
    }
  };

  const retry = () => {
    if (stopped) return;
    handlers.status("reconnecting");
    timer = setTimeout(connect, delay);
    delay = Math.min(maxDelay, delay * 2);
  };

  const connect = async () => {
    if (stopped) return;
    handlers.status(helloSeen ? "reconnecting" : "connecting");
    const current = new AbortController();
    controller = current;
    try {
      const response = await fetch(url, {
        signal: current.signal,
        credentials: "omit",
        cache: "no-store",
        headers: { accept: "text/event-stream", ...authHeaders() },
      });
      if (!response.ok || !response.body) {
        await response.body?.cancel();
      } else {
        const feed = sseParser(dispatch);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        while (!stopped) {
          const { value, done } = await reader.read();
          if (done) break;
          feed(value);
        }
      }
    } catch {
      // Refused, dropped or stopped: retried below unless stopped.
    }
    if (controller === current) retry();
  };

  void connect();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    controller?.abort();
  };
}
