/**
 * The approvals pending in every connected `km monitor`, as the dashboard knows them: what each
 * monitor reports over its WebSocket (src/approval/wire.ts), and the answers people give, sent
 * back to the monitor that holds the message. Pure: each connection brings its own `send`, and
 * the clock is injected.
 */
import type { ApprovalAnswer, ApprovalDone, PendingApproval } from "../approval/types.ts";
import type { AnswerBody } from "./api_types.ts";
import {
  ANSWERS,
  approvalDone,
  type DashboardFrame,
  isApprovalAnswer,
  parseMonitorFrame,
  pendingApproval,
} from "../approval/wire.ts";

/** Where the registry announces changes: the hub's `approval` and `approval_done` events. */
export interface Publisher {
  publish(event: string, value: unknown): void;
}

export interface RegistryOptions {
  /** Approvals one connection may have pending; `pending` frames beyond it are ignored. */
  readonly maxPendingPerConnection?: number;
  /** Epoch milliseconds. */
  readonly now?: () => number;
}

/** One monitor's WebSocket, as the registry sees it. */
export interface MonitorConnection {
  /** The session named by the monitor's `hello`; undefined before it. */
  readonly session: string | undefined;
  /** Handles one frame from the monitor. A binary or malformed frame is ignored and counted. */
  receive(frame: string | ArrayBuffer | Blob): void;
  /** The socket closed: its pending approvals end with outcome "closed". Idempotent. */
  close(): void;
}

/** The dashboard's end of one monitor's approval link (the monitor's end: approval/dashboard_channel.ts). */
interface MonitorLink {
  readonly send: (text: string) => void;
  session: string | undefined;
  /** Ids of this connection's pending approvals. */
  readonly ids: Set<string>;
  closed: boolean;
}

interface Held {
  readonly approval: PendingApproval;
  readonly owner: MonitorLink;
  /** An answer was sent: the monitor decides and reports `done`; no second answer is relayed. */
  answered: boolean;
}

export const MAX_PENDING_PER_CONNECTION = 10_000;

export class ApprovalRegistry {
  readonly #publisher: Publisher;
  readonly #max: number;
  readonly #now: () => number;
  /** Insertion order: the order the monitors reported them. */
  readonly #pending = new Map<string, Held>();
  readonly #links = new Set<MonitorLink>();
  #ignored = 0;
  #lastIgnored = "";

  constructor(publisher: Publisher, options: RegistryOptions = {}) {
    this.#publisher = publisher;
    this.#max = options.maxPendingPerConnection ?? MAX_PENDING_PER_CONNECTION;
    this.#now = options.now ?? Date.now;
  }

  /** Pending approvals in all. */
  get size(): number {
    return this.#pending.size;
  }

  /** Open monitor connections. */
  get connections(): number {
    return this.#links.size;
  }

  /** Frames ignored (malformed, out of place, over the bound), and why the last one was. */
  get ignored(): number {
    return this.#ignored;
  }

  get lastIgnored(): string {
    return this.#lastIgnored;
  }

  /** A monitor connected; `send` writes one text frame to it (and throws when it cannot). */
  connect(send: (text: string) => void): MonitorConnection {
    const link: MonitorLink = { send, session: undefined, ids: new Set(), closed: false };
    this.#links.add(link);
    return {
      get session() {
        return link.session;
      },
      receive: (frame) => this.#receive(link, frame),
      close: () => this.#close(link),
    };
  }

  /** Every pending approval, oldest first. */
  list(): PendingApproval[] {
    return [...this.#pending.values()].map((h) => h.approval)
      .sort((a, b) => a.requestedAt - b.requestedAt);
  }

  get(id: string): PendingApproval | undefined {
    return this.#pending.get(id)?.approval;
  }

  /**
   * Relays a person's answer to the monitor that holds approval `id`. False when no such approval
   * is pending, it was answered already, or its monitor cannot be reached.
   */
  answer(id: string, answer: ApprovalAnswer, by: string): boolean {
    const held = this.#pending.get(id);
    if (!held || held.answered || held.owner.closed) return false;
    const frame: DashboardFrame = { type: "answer", id, answer, by };
    try {
      held.owner.send(JSON.stringify(frame));
    } catch {
      return false;
    }
    held.answered = true;
    return true;
  }

  #receive(link: MonitorLink, data: unknown): void {
    if (link.closed) return;
    if (typeof data !== "string") return this.#ignore("a binary frame: the link takes JSON text");
    const frame = parseMonitorFrame(data);
    if (!frame) return this.#ignore(`not a monitor frame: ${data.slice(0, 100)}`);
    switch (frame.type) {
      case "hello":
        if (link.session !== undefined && link.session !== frame.session) {
          return this.#ignore(
            `a second hello names session ${frame.session}; the connection is ${link.session}'s`,
          );
        }
        link.session = frame.session;
        return;
      case "pending":
        return this.#pendingFrame(link, frame.approval);
      case "done":
        return this.#doneFrame(link, frame.done);
    }
  }

  #pendingFrame(link: MonitorLink, value: PendingApproval): void {
    if (link.session === undefined) return this.#ignore(`pending ${value.id} before hello`);
    const approval = pendingApproval(value as unknown as Record<string, unknown>);
    if (!approval) return this.#ignore(`pending ${value.id} lacks fields of a PendingApproval`);
    if (approval.session !== link.session) {
      return this.#ignore(
        `pending ${approval.id} of session ${approval.session} on ${link.session}`,
      );
    }
    if (this.#pending.has(approval.id)) {
      return this.#ignore(`pending ${approval.id} is pending already`);
    }
    if (link.ids.size >= this.#max) {
      return this.#ignore(`pending ${approval.id}: over ${this.#max} pending approvals`);
    }
    this.#pending.set(approval.id, { approval, owner: link, answered: false });
    link.ids.add(approval.id);
    this.#publisher.publish("approval", approval);
  }

  #doneFrame(link: MonitorLink, value: ApprovalDone): void {
    const held = this.#pending.get(value.id);
    if (!held || held.owner !== link) {
      return this.#ignore(`done ${value.id}: not pending on this connection`);
    }
    const done = approvalDone(value as unknown as Record<string, unknown>);
    if (!done) return this.#ignore(`done ${value.id} lacks fields of an ApprovalDone`);
    this.#end(held, { ...done, session: held.approval.session });
  }

  #close(link: MonitorLink): void {
    if (link.closed) return;
    link.closed = true;
    this.#links.delete(link);
    for (const id of [...link.ids]) {
      const held = this.#pending.get(id)!;
      const { session, requestedAt } = held.approval;
      this.#end(held, {
        id,
        session,
        outcome: "closed",
        channel: "dashboard",
        by: `the km monitor of session ${session} disconnected`,
        latencyMs: Math.max(0, this.#now() - requestedAt),
      });
    }
  }

  #end(held: Held, done: ApprovalDone): void {
    this.#pending.delete(done.id);
    held.owner.ids.delete(done.id);
    this.#publisher.publish("approval_done", done);
  }

  #ignore(reason: string): void {
    this.#ignored++;
    this.#lastIgnored = reason;
  }
}

/** An {@link AnswerBody}, or an error naming the field and what it takes. */
export function parseAnswerBody(text: string): AnswerBody | { error: string } {
  const expected = `{"answer": ${ANSWERS.map((a) => `"${a}"`).join(" | ")}}`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: `the body must be JSON: ${expected}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { error: `the body must be a JSON object: ${expected}` };
  }
  const unknown = Object.keys(value).filter((k) => k !== "answer");
  if (unknown.length > 0) {
    return { error: `unknown field "${unknown[0]}"; the body is ${expected}` };
  }
  const answer = (value as { answer?: unknown }).answer;
  if (!isApprovalAnswer(answer)) {
    return {
      error: `"answer" must be one of ${ANSWERS.map((a) => `"${a}"`).join(", ")}; got ${
        answer === undefined ? "none" : JSON.stringify(answer)
      }`,
    };
  }
  return { answer };
}

/**
 * Who answered, in words, for the monitor and the audit log: the dashboard's address and the
 * browser's name, e.g. "dashboard at 127.0.0.1:7411 (Firefox)".
 */
export function answeredBy(port: number, userAgent: string | undefined): string {
  const name = browserName(userAgent);
  return `dashboard at 127.0.0.1:${port}${name ? ` (${name})` : ""}`;
}

// Order matters: Edge and Opera also say Chrome, and Chrome also says Safari.
const BROWSERS: readonly [RegExp, string][] = [
  [/\bEdg(e|A|iOS)?\//, "Edge"],
  [/\bOPR\//, "Opera"],
  [/\b(Firefox|FxiOS)\//, "Firefox"],
  [/\bChromium\//, "Chromium"],
  [/(\b|Headless)(Chrome|CriOS)\//, "Chrome"],
  [/\bSafari\//, "Safari"],
];

/** A short name for a User-Agent: a known browser, else its first product (curl, Deno…). */
export function browserName(userAgent: string | undefined): string | undefined {
  if (!userAgent) return undefined;
  for (const [pattern, name] of BROWSERS) if (pattern.test(userAgent)) return name;
  return userAgent.match(/^([A-Za-z][\w.-]{0,31})\//)?.[1];
}
