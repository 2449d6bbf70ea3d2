/**
 * The dashboard channel: shows pending approvals in the running `km ui` and takes the answers
 * people give there. The link (wire.ts) is opened when the first approval is asked for, from
 * the dashboard's discovery file, and kept for the session; a dashboard that goes away fails
 * the approvals it was showing (the broker denies those no other channel can answer).
 */
import type { PendingApproval } from "./types.ts";
import { type Discovery, discoveryToken } from "../discovery.ts";
import type {
  ApprovalChannel,
  ChannelHandle,
  ChannelReply,
  Pending,
  Resolution,
} from "./broker.ts";
import { shownArguments } from "./shown_arguments.ts";
import { MONITOR_PATH, type MonitorFrame, parseDashboardFrame } from "./wire.ts";

/** An open (or opening) link to the dashboard. */
export interface Link {
  send(text: string): void;
  close(): void;
}

export interface LinkHandlers {
  open(): void;
  message(text: string): void;
  /** The link closed or could not be opened; `opened` says which. */
  closed(opened: boolean, why: string): void;
}

export interface DashboardChannelOptions {
  readonly session: string;
  readonly server: string;
  readonly pid: number;
  /** The discovery file of the dashboard that is running, if any. */
  readonly find: () => Discovery | undefined;
  /** Opens the link; handlers are called asynchronously. */
  readonly connect: (url: string, token: string, handlers: LinkHandlers) => Link;
  /** Tells the person at the terminal where to answer. */
  readonly announce: (pending: Pending, url: string) => void;
}

interface Shown {
  readonly pending: Pending;
  readonly reply: ChannelReply;
}

export class DashboardChannel implements ApprovalChannel {
  readonly name = "dashboard";
  readonly #options: DashboardChannelOptions;
  #link: Link | undefined;
  #where = "";
  #open = false;
  /** Frames written before the link opened. */
  #queue: string[] = [];
  readonly #shown = new Map<string, Shown>();

  constructor(options: DashboardChannelOptions) {
    this.#options = options;
  }

  open(pending: Pending, reply: ChannelReply): ChannelHandle | string {
    if (!this.#link) {
      const found = this.#options.find();
      if (!found) return "no dashboard is running (start `km ui`, or pass --ui to km monitor)";
      const token = discoveryToken(found);
      if (!token) return `the dashboard's discovery file has no access token (${found.url})`;
      this.#connect(found, token);
    }
    this.#shown.set(pending.id, { pending, reply });
    this.#send({ type: "pending", approval: this.#describe(pending) });
    this.#options.announce(pending, this.#where);
    queueMicrotask(() => reply.note(`shown in the dashboard at ${this.#where}`));
    return {
      end: (ended: Pending, resolution: Resolution) => {
        if (!this.#shown.delete(ended.id)) return;
        this.#send({
          type: "done",
          done: {
            id: ended.id,
            session: ended.session,
            outcome: resolution.outcome,
            channel: resolution.channel,
            by: resolution.by,
            latencyMs: resolution.latencyMs,
          },
        });
      },
    };
  }

  /** Ends the link (the session is over). */
  close(): void {
    const link = this.#link;
    this.#reset();
    link?.close();
  }

  #connect(found: Discovery, token: string): void {
    const base = new URL(found.url);
    this.#where = `${base.origin}/#/approvals`;
    this.#open = false;
    this.#queue = [JSON.stringify(this.#hello())];
    const link = this.#options.connect(
      `ws://${base.host}${MONITOR_PATH}`,
      token,
      {
        open: () => {
          if (this.#link !== link) return;
          this.#open = true;
          for (const text of this.#queue) link.send(text);
          this.#queue = [];
        },
        message: (text) => {
          if (this.#link !== link) return;
          const frame = parseDashboardFrame(text);
          if (frame) this.#shown.get(frame.id)?.reply.answer(frame.answer, frame.by);
        },
        closed: (opened, why) => {
          if (this.#link !== link) return;
          const shown = [...this.#shown.values()];
          this.#reset();
          const reason = opened
            ? `the dashboard at ${base.origin} went away (${why})`
            : `cannot reach the dashboard at ${base.origin} (${why})`;
          for (const { reply } of shown) reply.fail(reason);
        },
      },
    );
    this.#link = link;
  }

  #reset(): void {
    this.#link = undefined;
    this.#open = false;
    this.#queue = [];
    this.#shown.clear();
  }

  #send(frame: MonitorFrame): void {
    const text = JSON.stringify(frame);
    if (this.#open) this.#link!.send(text);
    else this.#queue.push(text);
  }

  #hello(): MonitorFrame {
    const { session, server, pid } = this.#options;
    return { type: "hello", session, server, pid };
  }

  #describe(pending: Pending): PendingApproval {
    const { key: _key, timeoutMs: _timeout, wire: _wire, arguments: args, ...shown } =
      pending.request;
    return {
      id: pending.id,
      session: pending.session,
      server: this.#options.server,
      ...shown,
      ...(args === undefined ? {} : argumentsShown(args)),
      requestedAt: pending.requestedAt,
      expiresAt: pending.expiresAt,
    };
  }
}

/** What the dashboard shows of the arguments: all of them, but for whole secret tokens, listed. */
function argumentsShown(args: unknown): Pick<PendingApproval, "arguments" | "masked"> {
  const { value, masked } = shownArguments(args);
  return masked.length === 0 ? { arguments: value } : { arguments: value, masked };
}

/** The link over a real WebSocket (Deno's client lets km send the token as a header). */
export function connectWebSocket(url: string, token: string, handlers: LinkHandlers): Link {
  const socket = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
  let opened = false;
  let closed = false;
  socket.onopen = () => {
    opened = true;
    handlers.open();
  };
  socket.onmessage = (event) => {
    if (typeof event.data === "string") handlers.message(event.data);
  };
  socket.onerror = () => {};
  socket.onclose = (event) => {
    if (closed) return;
    closed = true;
    handlers.closed(opened, event.reason || `code ${event.code}`);
  };
  return {
    send: (text) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
    },
    close: () => {
      closed = true;
      socket.close(1000, "session ended");
    },
  };
}
