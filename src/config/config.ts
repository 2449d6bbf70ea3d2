/**
 * Configuration: layers (flags > KM_* environment > project km.jsonc > user config > defaults)
 * are validated one by one against the schema, merged, and frozen into a `Config`. A project
 * file the user has not trusted only tightens (workspace.ts).
 * Pure: files and the environment are read in load.ts.
 */
import { ageProblem, parseAge } from "../audit/age.ts";
import { KmError } from "../errors.ts";
import { DEFAULT_MAX_MESSAGE_BYTES } from "../jsonrpc/framing.ts";
import { re2FlagsProblem, re2Problem } from "../re2.ts";
import { suggest } from "../suggest.ts";
import { CONFIG_SPEC, type Spec } from "./schema.ts";
import { type IgnoredSetting, screenWorkspace } from "./workspace.ts";

export interface RedactionPattern {
  readonly name: string;
  readonly regex: string;
  readonly flags?: string;
}

export interface Config {
  /** km's data directory; undefined until resolved from the environment. */
  readonly dataDir?: string;
  /** Folder for session logs (default `<dataDir>/logs`). */
  readonly logDir?: string;
  /** One fixed file instead of a file per session. */
  readonly logFile?: string;
  readonly logBodies: "full" | "metadata";
  /** Strings in logged bodies longer than this are truncated. */
  readonly logMaxStringChars: number;
  /**
   * Milliseconds: when km monitor starts, ended sessions last written longer ago are deleted
   * from the log folder. Undefined (the default, or "off"): logs are kept.
   */
  readonly logRetention?: number;
  readonly audit: {
    /**
     * When a record cannot be written: `block` (under enforce, requests are refused until
     * records can be written again) or `continue` (relay on, unrecorded).
     */
    readonly onWriteFailure: "block" | "continue";
  };
  readonly maxMessageBytes: number;
  readonly sessionId?: string;
  /** Server name used in file names and output (default: derived from the command). */
  readonly name?: string;
  readonly verbose: boolean;
  readonly quiet: boolean;
  readonly env: {
    /** Pass km's whole environment to the server (true) or only a safe minimum + `allow`. */
    readonly inherit: boolean;
    readonly allow: readonly string[];
    readonly set: Readonly<Record<string, string>>;
  };
  readonly shutdown: {
    /** After closing the server's stdin, how long to wait before SIGTERM (ms). */
    readonly closeStdinWait: number;
    /** After SIGTERM, how long to wait before SIGKILL (ms). */
    readonly terminateWait: number;
  };
  readonly policy: {
    /** A directory of .rego (+ data), a bundle.tar.gz, or a .wasm; none: every message passes. */
    readonly path?: string;
    /** For a .wasm policy: its data document (JSON or JSONC). */
    readonly data?: string;
    /** `audit`: evaluate and record, but forward everything unchanged. */
    readonly mode: "enforce" | "audit";
    /** Does a failed evaluation block non-request messages in this direction? (Requests: always.) */
    readonly failClosed: { readonly clientToServer: boolean; readonly serverToClient: boolean };
  };
  readonly redaction: {
    readonly enabled: boolean;
    /** Names of built-in rules to switch off. */
    readonly disable: readonly string[];
    /** Extra field names whose values are secrets. */
    readonly fields: readonly string[];
    readonly patterns: readonly RedactionPattern[];
  };
  readonly ui: {
    /** `km monitor`: point at the running dashboard, or start one in the background. */
    readonly enabled: boolean;
    /** The port `km ui` tries first (another free one when it is taken). */
    readonly port: number;
  };
  readonly approvals: {
    /** Milliseconds a held message waits for a person (a policy may set its own). */
    readonly timeout: number;
    /** Where km asks, in order; the first answer wins. */
    readonly channels: readonly ("dashboard" | "client")[];
  };
  /**
   * Not a setting: which config files these settings came from and what was left out of them,
   * for the audit log's start record and `km config show`. Set by loadConfig.
   */
  readonly origin?: ConfigOrigin;
}

/** Where a configuration came from. */
export interface ConfigOrigin {
  /** The config files read, highest precedence first. */
  readonly files: readonly ConfigFileUse[];
  /** Settings of untrusted project files that were not applied. */
  readonly ignored: readonly IgnoredSetting[];
}

/** A config file that was read, and how far km trusted it. */
export interface ConfigFileUse {
  readonly path: string;
  readonly role: "project" | "user";
  /**
   * `user`: the user's own config file; `explicit`: named by --config or KM_CONFIG;
   * `trusted`: a project file whose exact content the user trusted (`km config trust`);
   * `untrusted`: any other project file, of which only tightening settings apply.
   */
  readonly trust: "user" | "explicit" | "trusted" | "untrusted";
  /** sha256 of the text read (project files), what `km config trust` records. */
  readonly sha256?: string;
}

export const DEFAULTS: Config = {
  logBodies: "full",
  logMaxStringChars: 64 * 1024,
  audit: { onWriteFailure: "block" },
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  verbose: false,
  quiet: false,
  env: { inherit: true, allow: [], set: {} },
  shutdown: { closeStdinWait: 2000, terminateWait: 2000 },
  policy: { mode: "enforce", failClosed: { clientToServer: true, serverToClient: true } },
  redaction: { enabled: true, disable: [], fields: [], patterns: [] },
  ui: { enabled: false, port: 7411 },
  approvals: { timeout: 45_000, channels: ["dashboard", "client"] },
};

/** One source of settings, already parsed to JSON values. */
export interface Layer {
  /** Where it came from, for messages: a file path, "environment", "command line". */
  readonly source: string;
  readonly values: Record<string, unknown>;
  /** A project file the user has not trusted: only what tightens the layers below applies. */
  readonly untrusted?: boolean;
}

/**
 * Validates each layer and merges them, highest precedence first; with `files` (what
 * loadConfig read), records them and the ignored settings as `origin`. Throws CONFIG_INVALID.
 */
export function resolveConfig(layers: readonly Layer[], files?: readonly ConfigFileUse[]): Config {
  const problems = layers.flatMap((layer) => validate(layer.values, CONFIG_SPEC, "", layer.source));
  if (problems.length > 0) {
    throw new KmError(
      "CONFIG_INVALID",
      problems.length === 1 ? problems[0] : `invalid configuration:\n  ${problems.join("\n  ")}`,
      "see `km config show` and the Configuration section of the README",
    );
  }
  let merged: Record<string, unknown> = structuredClone(DEFAULTS) as unknown as Record<
    string,
    unknown
  >;
  // What the trusted layers below an untrusted one give: what it may only tighten.
  let trusted = merged;
  const ignored: IgnoredSetting[] = [];
  for (const layer of [...layers].reverse()) {
    const values = normalise(layer.values, CONFIG_SPEC) as Record<string, unknown>;
    if (layer.untrusted) {
      const screened = screenWorkspace(values, trusted, layer.source);
      ignored.push(...screened.ignored);
      merged = merge(merged, screened.values);
    } else {
      merged = merge(merged, values);
      trusted = merge(trusted, values);
    }
  }
  if (files) merged.origin = { files, ignored };
  return deepFreeze(merged) as unknown as Config;
}

/** Converts strings to the schema's types (sizes, durations) after validation. */
function normalise(value: unknown, spec: Spec): unknown {
  switch (spec.type) {
    case "size":
      return typeof value === "string" ? parseSize(value) : value;
    case "duration":
      return typeof value === "string" ? parseDuration(value) : value;
    case "age":
      return value === "off" ? undefined : parseAge(value as string);
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        out[key] = spec.keys[key] ? normalise(v, spec.keys[key]) : v;
      }
      return out;
    }
    default:
      return value;
  }
}

function merge(low: Record<string, unknown>, high: unknown): Record<string, unknown> {
  const out = { ...low };
  for (const [key, value] of Object.entries(high as Record<string, unknown>)) {
    const base = out[key];
    out[key] = isPlainObject(base) && isPlainObject(value) ? merge(base, value) : value;
  }
  return out;
}

/** Every problem in `value`, each naming the source, the key and what was expected. */
export function validate(value: unknown, spec: Spec, path: string, source: string): string[] {
  const where = `${source}: ${path ? `"${path}"` : "top level"}`;
  const got = describeValue(value);
  switch (spec.type) {
    case "string":
      return typeof value === "string" ? [] : [`${where}: expected a string, got ${got}`];
    case "boolean":
      return typeof value === "boolean" ? [] : [`${where}: expected true or false, got ${got}`];
    case "enum":
      return spec.values.includes(value as string)
        ? []
        : [`${where}: expected ${spec.values.map((v) => `"${v}"`).join(" or ")}, got ${got}`];
    case "integer":
      return Number.isInteger(value) && (value as number) >= spec.min &&
          (value as number) <= spec.max
        ? []
        : [`${where}: expected an integer from ${spec.min} to ${spec.max}, got ${got}`];
    case "size": {
      const bytes = typeof value === "string" ? parseSize(value) : value;
      return Number.isInteger(bytes) && (bytes as number) >= spec.min ? [] : [
        `${where}: expected a size of at least ${spec.min} bytes (e.g. 67108864 or "64MiB"), got ${got}`,
      ];
    }
    case "duration": {
      const ms = typeof value === "string" ? parseDuration(value) : value;
      return Number.isInteger(ms) && (ms as number) >= 0
        ? []
        : [`${where}: expected a duration in ms or with a unit (e.g. 2000 or "2s"), got ${got}`];
    }
    case "age": {
      if (typeof value !== "string") {
        return [`${where}: expected an age such as "30d", or "off", got ${got}`];
      }
      const problem = value === "off" ? undefined : ageProblem(value);
      return problem ? [`${where}: ${problem.replace("expected ", 'expected "off" or ')}`] : [];
    }
    case "re2":
    case "re2flags": {
      // Patterns run on text others choose: only what the linear-time RE2 engine accepts.
      if (typeof value !== "string") return [`${where}: expected a string, got ${got}`];
      const problem = spec.type === "re2" ? re2Problem(value) : re2FlagsProblem(value);
      return problem ? [`${where}: ${problem}`] : [];
    }
    case "list":
      return Array.isArray(value)
        ? value.flatMap((item, i) => validate(item, spec.of, `${path}[${i}]`, source))
        : [`${where}: expected a list, got ${got}`];
    case "map":
      return isPlainObject(value)
        ? Object.entries(value).flatMap(([k, v]) => validate(v, spec.of, join(path, k), source))
        : [`${where}: expected an object, got ${got}`];
    case "object": {
      if (!isPlainObject(value)) return [`${where}: expected an object, got ${got}`];
      return Object.entries(value).flatMap(([key, v]) => {
        const keySpec = spec.keys[key];
        if (keySpec) return validate(v, keySpec, join(path, key), source);
        const hint = suggest(key, Object.keys(spec.keys));
        return [
          `${source}: unknown key "${join(path, key)}"${
            hint ? ` (did you mean "${join(path, hint)}"?)` : ""
          }`,
        ];
      });
    }
  }
}

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** "64MiB" → 67108864; NaN when not a size. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? SIZE_UNITS[match[2].toLowerCase()] : undefined;
  return match && unit ? Math.round(Number(match[1]) * unit) : NaN;
}

const DURATION_UNITS: Record<string, number> = { "": 1, ms: 1, s: 1000, m: 60_000 };

/** "2s" → 2000; NaN when not a duration. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|)\s*$/i.exec(text);
  return match ? Math.round(Number(match[1]) * DURATION_UNITS[match[2].toLowerCase()]) : NaN;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return JSON.stringify(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
