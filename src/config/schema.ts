/**
 * The shape of km's configuration, as data: one table drives validation of files, environment
 * variables and flags alike, and the documentation of each key.
 */

export type Spec =
  | { readonly type: "string" }
  | { readonly type: "boolean" }
  | { readonly type: "enum"; readonly values: readonly string[] }
  /** Bytes: an integer, or a string such as "64MiB", "512KiB", "10MB". */
  | { readonly type: "size"; readonly min: number }
  /** Milliseconds: an integer, or a string such as "2s", "500ms". */
  | { readonly type: "duration" }
  /** An age: "30s", "15m", "1h", "7d", "2w" (src/audit/age.ts), or "off". */
  | { readonly type: "age" }
  | { readonly type: "integer"; readonly min: number; readonly max: number }
  | { readonly type: "list"; readonly of: Spec }
  | { readonly type: "map"; readonly of: Spec }
  | { readonly type: "object"; readonly keys: Readonly<Record<string, Spec>> }
  /** A regular expression in RE2 syntax (what km's linear-time engine accepts). */
  | { readonly type: "re2" }
  /** Flag letters for an RE2 pattern: i, m, s, U (g and u are accepted and change nothing). */
  | { readonly type: "re2flags" };

const string = { type: "string" } as const;
const boolean = { type: "boolean" } as const;

/** Every key km reads, with its type. Unknown keys are errors (with a suggestion). */
export const CONFIG_SPEC = {
  type: "object",
  keys: {
    dataDir: string,
    logDir: string,
    logFile: string,
    logBodies: { type: "enum", values: ["full", "metadata"] },
    logMaxStringChars: { type: "integer", min: 64, max: 1 << 30 },
    /** Sessions last written longer ago are deleted when km monitor starts; "off" keeps all. */
    logRetention: { type: "age" },
    audit: {
      type: "object",
      keys: { onWriteFailure: { type: "enum", values: ["block", "continue"] } },
    },
    maxMessageBytes: { type: "size", min: 1024 },
    sessionId: string,
    name: string,
    verbose: boolean,
    quiet: boolean,
    env: {
      type: "object",
      keys: {
        inherit: boolean,
        allow: { type: "list", of: string },
        set: { type: "map", of: string },
      },
    },
    shutdown: {
      type: "object",
      keys: { closeStdinWait: { type: "duration" }, terminateWait: { type: "duration" } },
    },
    policy: {
      type: "object",
      keys: {
        path: string,
        data: string,
        mode: { type: "enum", values: ["enforce", "audit"] },
        failClosed: {
          type: "object",
          keys: { clientToServer: boolean, serverToClient: boolean },
        },
      },
    },
    redaction: {
      type: "object",
      keys: {
        enabled: boolean,
        disable: { type: "list", of: string },
        fields: { type: "list", of: string },
        patterns: {
          type: "list",
          of: {
            type: "object",
            keys: { name: string, regex: { type: "re2" }, flags: { type: "re2flags" } },
          },
        },
      },
    },
    ui: {
      type: "object",
      keys: { enabled: boolean, port: { type: "integer", min: 0, max: 65535 } },
    },
    approvals: {
      type: "object",
      keys: {
        timeout: { type: "duration" },
        channels: { type: "list", of: { type: "enum", values: ["dashboard", "client"] } },
      },
    },
  },
} as const satisfies Spec;

/** Environment variables and the config key each sets. */
export const ENV_KEYS: Readonly<Record<string, string>> = {
  KM_DATA_DIR: "dataDir",
  KM_LOG_DIR: "logDir",
  KM_LOG_FILE: "logFile",
  KM_LOG_BODIES: "logBodies",
  KM_LOG_MAX_STRING_CHARS: "logMaxStringChars",
  KM_LOG_RETENTION: "logRetention",
  KM_AUDIT_ON_WRITE_FAILURE: "audit.onWriteFailure",
  KM_MAX_MESSAGE_BYTES: "maxMessageBytes",
  KM_SESSION_ID: "sessionId",
  KM_NAME: "name",
  KM_VERBOSE: "verbose",
  KM_QUIET: "quiet",
  KM_ENV_INHERIT: "env.inherit",
  KM_CLOSE_STDIN_WAIT: "shutdown.closeStdinWait",
  KM_TERMINATE_WAIT: "shutdown.terminateWait",
  KM_REDACTION: "redaction.enabled",
  KM_POLICY: "policy.path",
  KM_POLICY_DATA: "policy.data",
  KM_POLICY_MODE: "policy.mode",
  KM_UI: "ui.enabled",
  KM_UI_PORT: "ui.port",
  KM_APPROVAL_TIMEOUT: "approvals.timeout",
  KM_APPROVAL_CHANNELS: "approvals.channels",
};

/** KM_* variables that are not configuration (read elsewhere) and must not be warned about. */
export const ENV_OTHER = new Set(["KM_CONFIG", "KM_PARENT_SESSION"]);
