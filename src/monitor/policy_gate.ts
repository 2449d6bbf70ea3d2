/**
 * The session's policy: which one is in force (`--policy`, the embedded default, or none), the
 * enforcer that applies it with the session's approvals, and its reload when its files change.
 */
import type { Config } from "../config/config.ts";
import type { Diagnostics } from "../diagnostics.ts";
import { Enforcer } from "../policy/enforcer.ts";
import type { LoadedPolicy, PolicyLoadOptions } from "../policy/build/load_policy.ts";
import { Reloader } from "../policy/reloader.ts";
import { SessionPins } from "../policy/session_pins.ts";
import { PinFiles } from "../pins/pin_file.ts";
import { PinTracker } from "../pins/tracker.ts";
import type { KmMessageEvent } from "../relay/events.ts";
import { kmMessageEvent } from "../relay/km_message.ts";
import {
  type SessionApprovals,
  sessionApprovals,
  type SessionApprovalsOptions,
} from "./approvals.ts";
import type { Lifecycle } from "./session_log.ts";

/** `--policy none` (or `--no-policy`): relay without evaluating any policy. */
export const NO_POLICY = "none";

export interface PolicyIo {
  /** Loads the policy named by `--policy` (compiling a directory with opa). */
  readonly loadPolicy: (path: string, options: PolicyLoadOptions) => Promise<LoadedPolicy>;
  /** Loads km's embedded default policy. */
  readonly loadDefaultPolicy: () => Promise<LoadedPolicy>;
  /** Watches a policy path for changes; returns the function that stops watching. */
  readonly watchPath: (path: string, onChange: () => void) => () => void;
}

/** `--policy PATH`, the embedded default policy without one, or none with `--no-policy`. */
export function choosePolicy(
  config: Config,
  io: PolicyIo,
  dataDir: string | undefined,
): Promise<LoadedPolicy | undefined> {
  const path = config.policy.path;
  if (path === NO_POLICY) return Promise.resolve(undefined);
  if (path === undefined) return io.loadDefaultPolicy();
  return io.loadPolicy(path, policyOptions(config, dataDir));
}

export function policyOptions(config: Config, dataDir: string | undefined): PolicyLoadOptions {
  return {
    dataPath: config.policy.data,
    cacheDir: dataDir ? `${dataDir}/policy-cache` : undefined,
  };
}

/** What the approvals need, except the record writer, which the gate builds from `kmMessage`. */
export interface GateOptions extends Omit<SessionApprovalsOptions, "recordToClient"> {
  readonly loaded: LoadedPolicy | undefined;
  readonly nextSeq: () => number;
  /** Records (and reports) a line km sent the client. */
  readonly kmMessage: (event: KmMessageEvent) => void;
  /** The argv km starts the server with: part of its identity for pins. */
  readonly command: readonly string[];
}

export interface SessionGate {
  /** Human approval, under enforce with a policy. */
  readonly approvals?: SessionApprovals;
  /** The enforcer, with a policy. */
  readonly gate?: Enforcer;
}

/** The enforcer of the loaded policy, and under enforce the approvals it asks. */
export function sessionGate(options: GateOptions): SessionGate {
  const { loaded, config, clock } = options;
  const { loaded: _loaded, nextSeq, kmMessage, command: _command, ...shared } = options;
  const pins = loaded ? sessionPins(options) : undefined;
  const approvals = loaded && config.policy.mode === "enforce"
    ? sessionApprovals({
      ...shared,
      recordToClient: (bytes, pending, forwarded) =>
        kmMessage(kmMessageEvent({
          direction: "server_to_client",
          seq: nextSeq(),
          at: clock.epochMs(),
          bytes,
          causeSeq: pending.request.requestSeq,
          about: pending.id,
          forwarded,
        })),
    })
    : undefined;
  const gate = loaded
    ? new Enforcer({
      loaded,
      state: options.state,
      mode: config.policy.mode,
      failClosed: {
        client_to_server: config.policy.failClosed.clientToServer,
        server_to_client: config.policy.failClosed.serverToClient,
      },
      now: clock.now,
      approvals: approvals?.approvals,
      pins,
    })
    : undefined;
  return { approvals, gate };
}

/**
 * The server's definitions compared with its pins (src/pins/), for the policy's input. Pins are
 * compared where a policy is; they persist in the data folder, when there is one.
 */
function sessionPins(options: GateOptions): SessionPins {
  const { dataDir, diagnostics, clock } = options;
  return new SessionPins(
    new PinTracker({
      command: options.command,
      kmName: options.server,
      store: dataDir
        ? new PinFiles(`${dataDir}/pins`, (text) => diagnostics.warn(text))
        : undefined,
      now: clock.epochMs,
      record: (event, fields) => options.lifecycle(event, fields),
    }),
    options.state,
  );
}

/**
 * Reloads a policy given by path (not the default, not none) when its files change; returns
 * the function that stops, or undefined when there is nothing to watch.
 */
export function watchPolicy(
  config: Config,
  gate: Enforcer | undefined,
  io: PolicyIo & { dataDir: string | undefined; lifecycle: Lifecycle; diagnostics: Diagnostics },
): (() => Promise<void>) | undefined {
  const path = config.policy.path;
  return gate && path && path !== NO_POLICY
    ? reloadOnChange(path, gate, {
      load: () => io.loadPolicy(path, policyOptions(config, io.dataDir)),
      lifecycle: io.lifecycle,
      diagnostics: io.diagnostics,
      watch: io.watchPath,
    })
    : undefined;
}

/** Reloads the policy when its files change; a failed reload keeps the policy in force. */
function reloadOnChange(
  path: string,
  gate: Enforcer,
  io: {
    load: () => Promise<LoadedPolicy>;
    lifecycle: Lifecycle;
    diagnostics: Diagnostics;
    watch: PolicyIo["watchPath"];
  },
): () => Promise<void> {
  const reloader = new Reloader({
    load: io.load,
    onLoaded: (loaded) => {
      if (loaded.revision === gate.loaded.revision) return;
      const previous = gate.loaded.revision;
      gate.swap(loaded);
      io.lifecycle("policy_reloaded", {
        source: loaded.source,
        revision: loaded.revision,
        previous,
      });
      io.diagnostics.info(`policy reloaded from ${loaded.source} (revision ${loaded.revision})`);
    },
    onFailed: (error) => {
      const message = (error as Error).message;
      io.lifecycle("policy_reload_failed", {
        source: path,
        error: message,
        kept: gate.loaded.revision,
      });
      io.diagnostics.error(
        `policy reload failed; keeping revision ${gate.loaded.revision}: ${message}`,
      );
    },
  });
  const stopWatching = io.watch(path, () => reloader.changed());
  return async () => {
    stopWatching();
    await reloader.close();
  };
}
