/**
 * Human approval for one `km monitor` session: the broker with the configured channels in
 * order, the client channel's answers taken out of the relay, the audit records of each
 * approval, and a line on stderr when a message is held and when it is released.
 */
import { ApprovalBroker, type ApprovalChannel, type Pending, seconds } from "../approval/broker.ts";
import { ClientChannel } from "../approval/client_channel.ts";
import { DashboardChannel, type Link, type LinkHandlers } from "../approval/dashboard_channel.ts";
import { requestedFields, resolvedFields } from "../approval/records.ts";
import type { LifecycleEvent } from "../audit/record.ts";
import type { Config } from "../config/config.ts";
import type { Diagnostics } from "../diagnostics.ts";
import type { Correlator } from "../jsonrpc/correlation.ts";
import type { Approvals } from "../policy/enforcer.ts";
import type { SessionState } from "../policy/session_state.ts";
import type { Clock } from "../relay/events.ts";
import type { Discovery } from "../discovery.ts";

export interface DashboardLinkIo {
  /** The discovery file of the dashboard that is running, if any. */
  readonly findDashboard: (dataDir: string) => Discovery | undefined;
  readonly connectDashboard: (url: string, token: string, handlers: LinkHandlers) => Link;
}

export interface SessionApprovalsOptions extends DashboardLinkIo {
  readonly config: Config;
  readonly session: string;
  readonly server: string;
  readonly dataDir: string | undefined;
  readonly clock: Clock;
  readonly state: SessionState;
  readonly correlator: Correlator;
  /** Writes km's own line to the client; false when the client is gone. */
  readonly sendToClient: (bytes: Uint8Array) => boolean;
  /** Writes the audit record of a line km sent the client about an approval. */
  readonly recordToClient: (bytes: Uint8Array, about: Pending, forwarded: boolean) => void;
  readonly lifecycle: (event: LifecycleEvent, fields: Record<string, unknown>) => void;
  readonly diagnostics: Diagnostics;
}

export interface SessionApprovals {
  readonly approvals: Approvals;
  /** The held message's record was written: write its `approval_requested` record next. */
  held(approvalId: string): void;
  /** The client disconnected: what it held can no longer be answered or delivered. */
  clientGone(reason: string): void;
  /** The session is ending: deny what is still pending and close the dashboard link. */
  close(reason: string): void;
}

export function sessionApprovals(options: SessionApprovalsOptions): SessionApprovals {
  const { config, diagnostics, lifecycle, clock, dataDir } = options;
  const client = new ClientChannel({
    server: options.server,
    facts: () => {
      const facts = options.state.snapshot();
      const info = facts.client.info as { name?: unknown; version?: unknown } | undefined;
      return {
        capabilities: facts.client.capabilities,
        protocolVersion: facts.protocolVersion,
        name: typeof info?.name === "string"
          ? `${info.name}${typeof info.version === "string" ? ` ${info.version}` : ""}`
          : undefined,
      };
    },
    send: (bytes, about) => {
      const forwarded = options.sendToClient(bytes);
      record(about.id, () => options.recordToClient(bytes, about, forwarded));
    },
    serverIdInUse: (key) => options.correlator.peek("server_to_client", key) !== undefined,
    session: options.session,
    epochMs: clock.epochMs,
  });
  const dashboard = dataDir === undefined ? undefined : new DashboardChannel({
    session: options.session,
    server: options.server,
    pid: Deno.pid,
    find: () => options.findDashboard(dataDir),
    connect: options.connectDashboard,
    announce: (pending, url) =>
      diagnostics.info(
        `${describe(pending)} waits for approval (up to ${
          seconds(pending.request.timeoutMs)
        }): answer at ${url}`,
      ),
  });
  const channels = config.approvals.channels.flatMap((name): ApprovalChannel[] =>
    name === "client" ? [client] : dashboard ? [dashboard] : []
  );
  /**
   * Held approvals whose `approval_requested` record is not written yet, with the records of
   * what km sent the client about them meanwhile: all follow the held message's own record.
   */
  const unwritten = new Map<string, { pending: Pending; after: (() => void)[] }>();
  /** Records of lines sent while the broker is deciding, before the approval is known. */
  let asking: (() => void)[] | undefined;
  const record = (id: string, write: () => void) => {
    const waiting = asking ?? unwritten.get(id)?.after;
    if (waiting) waiting.push(write);
    else write();
  };
  /**
   * Records of approvals that a client's retry ended while it was being decided: they follow
   * the retry's own record (written when the observer calls `held` for it).
   */
  const afterRetry = new Map<string, (() => void)[]>();
  /** Set while a retry is decided. */
  let resolving: (() => void)[] | undefined;
  const held = (id: string) => {
    const entry = unwritten.get(id);
    if (entry) {
      unwritten.delete(id);
      lifecycle("approval_requested", requestedFields(entry.pending, config.approvals.channels));
      for (const write of entry.after) write();
    }
    const after = afterRetry.get(id);
    afterRetry.delete(id);
    for (const write of after ?? []) write();
  };
  const broker = new ApprovalBroker({
    session: options.session,
    channels,
    now: clock.now,
    epochMs: clock.epochMs,
    onResolved: (pending, resolution) => {
      const write = () => {
        held(pending.id);
        lifecycle("approval_resolved", resolvedFields(pending, resolution));
        const how = resolution.reason ?? `${resolution.outcome} by ${resolution.by}`;
        diagnostics.info(`${describe(pending)}: ${how} (after ${seconds(resolution.latencyMs)})`);
      };
      if (resolving) resolving.push(write);
      else write();
    },
  });
  return {
    approvals: {
      timeoutMs: config.approvals.timeout,
      ask: (request) => {
        const sent: (() => void)[] = asking = [];
        let result;
        try {
          result = broker.ask(request);
        } finally {
          asking = undefined;
        }
        if (result.kind === "held") {
          unwritten.set(result.pending.id, { pending: result.pending, after: sent });
        } else for (const write of sent) write();
        return result;
      },
      withdraw: (key, why) => broker.withdraw(key, why),
      consume: (event) => client.consume(event),
      retried: (event) => {
        const deferred: (() => void)[] = resolving = [];
        let retry;
        try {
          retry = client.retried(event);
        } finally {
          resolving = undefined;
        }
        if (retry === undefined || "error" in retry) {
          for (const write of deferred) write();
          return retry;
        }
        if (deferred.length > 0) afterRetry.set(retry.approvalId, deferred);
        const done = broker.outcome(retry.approvalId);
        return done
          ? { ...retry, done }
          : { error: `approval ${retry.approvalId} is no longer known to this session` };
      },
    },
    held,
    clientGone(reason) {
      // Closed, not "unavailable": nobody is left to answer or to deliver to.
      broker.closeAll(reason);
      client.gone(reason);
    },
    close(reason) {
      broker.closeAll(reason);
      dashboard?.close();
    },
  };
}

function describe(pending: Pending): string {
  const r = pending.request;
  return `approval ${pending.id}: ${r.method}${r.tool ? ` "${r.tool}"` : ""}`;
}
