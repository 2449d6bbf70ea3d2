/**
 * Request/response correlation. Each side numbers its own requests (both usually from 0), so
 * pending requests are tracked per direction and a response looks in the other direction's map.
 * Tasks (MCP 2025-11-25, and the 2026-07-28 tasks extension) are tied to the `tools/call` that
 * created them, so a task's polls, results and status notifications carry that call's tool.
 */
import type { Id, RequestMessage } from "./message.ts";
import { trimOldest } from "../trim_oldest.ts";

export type Direction = "client_to_server" | "server_to_client";

/** The direction a reply to a message travelling in `direction` takes. */
export function opposite(direction: Direction): Direction {
  return direction === "client_to_server" ? "server_to_client" : "client_to_server";
}

/** A request still waiting for its response. */
export interface PendingRequest {
  readonly id: Id;
  /** Audit sequence number of the request's record, so the response can link to it. */
  readonly seq: number;
  readonly method: string;
  /** The tool name of a `tools/call`. */
  readonly tool?: string;
  /** Clock reading (ms) when the request passed through km. */
  readonly startedAt: number;
  /** Set when a `notifications/cancelled` for this request was seen. */
  cancelled: boolean;
}

/** What a response learns about its request. */
export interface Correlation {
  readonly request: PendingRequest;
  readonly latencyMs: number;
  /**
   * The response's id is not the request's id, but one the requester's SDK matches to it (the
   * string `"1"` for the number 1; see `looseKeys`).
   */
  readonly looseId?: true;
}

/** The tool name of a `tools/call` request, if it has one. */
export function toolOf(method: string, params: unknown): string | undefined {
  if (method !== "tools/call" || typeof params !== "object" || params === null) return undefined;
  const name = (params as { name?: unknown }).name;
  return typeof name === "string" ? name : undefined;
}

/** Requests about a task: their `params.taskId` names it. */
const TASK_REQUESTS: ReadonlySet<string> = new Set([
  "tasks/get",
  "tasks/result",
  "tasks/cancel",
  "tasks/update",
]);
/** Notifications about a task. */
const TASK_NOTIFICATIONS: ReadonlySet<string> = new Set([
  "notifications/tasks/status",
  "notifications/tasks",
]);

/** The task a request or notification is about (`params.taskId`), if it is about one. */
export function taskIdOf(method: string, params: unknown): string | undefined {
  if (!TASK_REQUESTS.has(method) && !TASK_NOTIFICATIONS.has(method)) return undefined;
  const id = (params as { taskId?: unknown } | null | undefined)?.taskId;
  return typeof id === "string" ? id : undefined;
}

/**
 * The task a `tools/call` result creates: `{task: {taskId}}` (2025-11-25's CreateTaskResult) or
 * `{resultType: "task", taskId}` (the 2026-07-28 tasks extension).
 */
export function createdTaskOf(result: unknown): string | undefined {
  if (typeof result !== "object" || result === null) return undefined;
  const r = result as { task?: { taskId?: unknown }; resultType?: unknown; taskId?: unknown };
  const id = r.resultType === "task" ? r.taskId : r.task?.taskId;
  return typeof id === "string" ? id : undefined;
}

/** Tasks remembered with their tool, at most (the oldest is forgotten first). */
export const MAX_TASKS = 10_000;

/**
 * Requests tracked per direction, at most. A peer that is never answered (a server that hangs,
 * a client flooding it) cannot grow km's memory without bound: past this, the oldest pending
 * request is forgotten, and its answer, should it come, is an unmatched response.
 */
export const MAX_PENDING_REQUESTS = 100_000;

export class Correlator {
  readonly #pending: Record<Direction, Map<string, PendingRequest>> = {
    client_to_server: new Map(),
    server_to_client: new Map(),
  };
  readonly #maxPending: number;
  /** Task id → the tool of the `tools/call` that created it. */
  readonly #tasks = new Map<string, string>();
  /** Requests forgotten so far to stay within the limit. */
  forgotten = 0;

  constructor(maxPending = MAX_PENDING_REQUESTS) {
    this.#maxPending = maxPending;
  }

  /**
   * Records a request travelling in `direction`. Returns true when the same sender already had
   * a pending request with this id (a reused id: the newer request replaces the older).
   */
  request(direction: Direction, message: RequestMessage, seq: number, now: number): boolean {
    const map = this.#pending[direction];
    const reused = map.has(message.id.key);
    map.set(message.id.key, {
      id: message.id,
      seq,
      method: message.method,
      tool: toolOf(message.method, message.params) ?? this.taskTool(message.method, message.params),
      startedAt: now,
      cancelled: false,
    });
    this.forgotten += trimOldest(map, this.#maxPending);
    return reused;
  }

  /**
   * Matches a response travelling in `direction` to its request, and forgets the request. An id
   * that is not the request's own is matched the way the SDKs match it (see `looseKeys`), so
   * km judges a response as the answer the requester will take it for.
   */
  response(direction: Direction, id: Id, now: number): Correlation | undefined {
    const map = this.#pending[opposite(direction)];
    const request = map.get(id.key);
    if (request) {
      map.delete(id.key);
      return { request, latencyMs: now - request.startedAt };
    }
    for (const key of looseKeys(id)) {
      const loose = map.get(key);
      if (!loose) continue;
      map.delete(key);
      return { request: loose, latencyMs: now - loose.startedAt, looseId: true };
    }
    return undefined;
  }

  /**
   * Learns the task a response creates: an answer to a `tools/call` whose result is a task
   * handle. Called with the response's correlation and result.
   */
  learnTask(correlation: Correlation | undefined, result: unknown): void {
    const tool = correlation?.request.method === "tools/call"
      ? correlation.request.tool
      : undefined;
    if (tool === undefined) return;
    const id = createdTaskOf(result);
    if (id === undefined) return;
    this.#tasks.delete(id);
    this.#tasks.set(id, tool);
    trimOldest(this.#tasks, MAX_TASKS);
  }

  /** The tool of the task a task request or notification names, if km saw it created. */
  taskTool(method: string, params: unknown): string | undefined {
    const id = taskIdOf(method, params);
    return id === undefined ? undefined : this.#tasks.get(id);
  }

  /** Looks up a pending request sent in `direction` without resolving it. */
  peek(direction: Direction, key: string): PendingRequest | undefined {
    return this.#pending[direction].get(key);
  }

  /**
   * Marks the request named by a `notifications/cancelled` travelling in `direction` (the same
   * direction as the request it cancels). The request stays pending: a response may still come.
   */
  cancel(direction: Direction, requestIdKey: string): PendingRequest | undefined {
    const request = this.#pending[direction].get(requestIdKey);
    if (request) request.cancelled = true;
    return request;
  }

  /** Requests sent in `direction` that have no response yet, oldest first. */
  pending(direction: Direction): PendingRequest[] {
    return [...this.#pending[direction].values()];
  }
}

/**
 * The keys of other ids an SDK would match a response id to. The TypeScript SDK looks a
 * response up by `Number(id)` (so `"1"`, `" 1 "`, `"0x1"`, `"1e0"` and even `""` (0) answer
 * request 1 or 0), and the Python SDK by `int(id)` for a string (so `"+1"`, `"1_0"` (10)). A
 * number answers a request that had it as a string. Unicode digits, which Python's `int`
 * also reads, are not matched: such a response stays unmatched, which enforcement blocks.
 */
export function looseKeys(id: Id): string[] {
  if (!id.raw.startsWith('"')) return [JSON.stringify(id.raw)];
  const text = JSON.parse(id.raw) as string;
  const keys = new Set<string>();
  const asNumber = Number(text);
  if (Number.isSafeInteger(asNumber)) keys.add(String(asNumber));
  const trimmed = text.trim();
  if (/^[+-]?[0-9]+(?:_[0-9]+)*$/.test(trimmed)) {
    const digits = trimmed.replaceAll("_", "");
    keys.add(BigInt(digits).toString());
  }
  keys.delete(id.key);
  return [...keys];
}
