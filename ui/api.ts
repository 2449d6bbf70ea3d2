/**
 * The dashboard's client for `km ui`'s API (src/ui/api_types.ts): typed same-origin fetches that
 * turn `{error}` bodies into {@link ApiFailure}, and the server-sent event stream with
 * reconnection. Authentication is the HttpOnly cookie `km ui` set when its URL was opened.
 */
import type {
  AnswerAccepted,
  AnswerBody,
  ApprovalAnswer,
  ApprovalDone,
  ApprovalList,
  Hello,
  PendingApproval,
  PolicyReport,
  RecordDetail,
  RecordFilter,
  RecordPage,
  RecordSummary,
  SessionList,
  SessionSummary,
  StatsReport,
} from "../src/ui/api_types.ts";
import { filterParams } from "../src/ui/filter.ts";

/** What a 401 means for a person. */
export const UNAUTHORIZED_MESSAGE =
  "Not signed in. Open the address that `km ui` printed; it carries the access token.";

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
      credentials: "same-origin",
      headers: body === undefined
        ? { accept: "application/json" }
        : { accept: "application/json", "content-type": "application/json" },
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
 * Subscribes to `/api/events`. EventSource retries dropped connections itself; when it gives up
 * (an HTTP error such as 401, or the server gone), this retries with a growing delay. Returns
 * the function that stops everything.
 */
export function subscribeEvents(
  handlers: LiveHandlers,
  options: { url?: string; minDelayMs?: number; maxDelayMs?: number } = {},
): () => void {
  const url = options.url ?? "/api/events";
  const minDelay = options.minDelayMs ?? 1000;
  const maxDelay = options.maxDelayMs ?? 30_000;
  let source: EventSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let delay = minDelay;
  let helloSeen = false;
  let stopped = false;

  const parse = (event: Event): unknown => {
    try {
      return JSON.parse((event as MessageEvent<string>).data);
    } catch {
      return undefined; // A malformed event is skipped; the next page fetch shows the record.
    }
  };

  const connect = () => {
    if (stopped) return;
    handlers.status(helloSeen ? "reconnecting" : "connecting");
    const es = new EventSource(url, { withCredentials: true });
    source = es;
    es.addEventListener("open", () => {
      delay = minDelay;
    });
    es.addEventListener("hello", (event) => {
      const hello = parse(event) as Hello | undefined;
      if (hello === undefined) return;
      handlers.status("open");
      handlers.hello(hello, helloSeen);
      helloSeen = true;
    });
    es.addEventListener("record", (event) => {
      const record = parse(event) as RecordSummary | undefined;
      if (record !== undefined) handlers.record(record);
    });
    es.addEventListener("session", (event) => {
      const session = parse(event) as SessionSummary | undefined;
      if (session !== undefined) handlers.session(session);
    });
    es.addEventListener("approval", (event) => {
      const approval = parse(event) as PendingApproval | undefined;
      if (approval !== undefined) handlers.approval(approval);
    });
    es.addEventListener("approval_done", (event) => {
      const done = parse(event) as ApprovalDone | undefined;
      if (done !== undefined) handlers.approvalDone(done);
    });
    es.addEventListener("error", () => {
      if (stopped) return;
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        handlers.status("reconnecting");
        timer = setTimeout(connect, delay);
        delay = Math.min(maxDelay, delay * 2);
      } else {
        handlers.status("reconnecting");
      }
    });
  };

  connect();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    source?.close();
  };
}
