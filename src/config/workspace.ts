/**
 * What a project (workspace) km.jsonc may change on its own. MCP clients start km in whatever
 * folder they run in, often a cloned repository, so that file is written by whoever wrote the
 * repository: unless the user trusts it (trust.ts), it may only tighten what the user's own
 * settings (their config file, KM_* variables, flags, the defaults) give. Each key has one rule;
 * the table is also the documentation (docs/configuration.md lists it).
 */
import { isJsonObject as isObject } from "../json_object.ts";

/**
 * - `any`: neither weakens enforcement, the audit log nor the server's environment.
 * - `tighten`: applies when at least as strict as the user's value (`stricter(value, base)`).
 * - `add`: the workspace's entries are added to the user's, never replace them.
 * - `user`: the user's choice only; the workspace value applies only when it changes nothing.
 */
export type WorkspaceRule =
  | { readonly kind: "any" }
  | {
    readonly kind: "tighten";
    readonly stricter: (value: unknown, base: unknown) => boolean;
    readonly why: string;
  }
  | { readonly kind: "add" }
  | { readonly kind: "user"; readonly why: string };

const any = { kind: "any" } as const;
const add = { kind: "add" } as const;
const user = (why: string): WorkspaceRule => ({ kind: "user", why });
const only = (strict: unknown, why: string): WorkspaceRule => ({
  kind: "tighten",
  stricter: (value) => value === strict,
  why,
});
/** A list of names that only switches things on: the workspace may drop names, not add them. */
const subset = (why: string): WorkspaceRule => ({
  kind: "tighten",
  stricter: (value, base) =>
    (value as unknown[]).every((v) => (base as unknown[] | undefined)?.includes(v)),
  why,
});

/** The rule of every leaf key of the schema, by dotted path. */
export const WORKSPACE_RULES: Readonly<Record<string, WorkspaceRule>> = {
  dataDir: user("moves km's data folder: its policy cache and its record of trusted files"),
  logDir: user("moves the audit log"),
  logFile: user("moves the audit log"),
  logBodies: user("changes what the audit log records"),
  logMaxStringChars: user("changes what the audit log records"),
  logRetention: user("deletes audit logs (or keeps them longer than the user chose)"),
  "audit.onWriteFailure": only("block", "relays requests that cannot be recorded"),
  maxMessageBytes: {
    kind: "tighten",
    stricter: (value, base) => (value as number) <= (base as number),
    why: "raises the size limit of messages",
  },
  sessionId: user("sets the session id the audit log and approvals go by"),
  name: user("renames the server, which policies may match on"),
  verbose: any,
  quiet: any,
  "env.inherit": only(false, "passes km's whole environment to the server"),
  "env.allow": subset("passes more of km's environment to the server"),
  "env.set": user("changes the server's environment (e.g. NODE_OPTIONS runs code in it)"),
  "shutdown.closeStdinWait": any,
  "shutdown.terminateWait": any,
  "policy.path": user('replaces the policy in force (or, with "none", turns it off)'),
  "policy.data": user("replaces the data the policy decides with"),
  "policy.mode": only("enforce", "turns enforcement off (decisions are recorded, not applied)"),
  "policy.failClosed.clientToServer": only(true, "lets messages through when evaluation fails"),
  "policy.failClosed.serverToClient": only(true, "lets messages through when evaluation fails"),
  "redaction.enabled": only(true, "turns redaction of secrets in the audit log off"),
  "redaction.disable": subset("switches built-in redaction rules off"),
  "redaction.fields": add,
  "redaction.patterns": add,
  "ui.enabled": only(false, "starts the dashboard in the background"),
  "ui.port": any,
  "approvals.timeout": any,
  "approvals.channels": subset("asks for approval where the user's settings do not"),
};

/** A workspace setting that was not applied, and why. */
export interface IgnoredSetting {
  /** The file it was in. */
  readonly file: string;
  /** Its dotted key (for `env.set`, each variable: `env.set.NODE_OPTIONS`). */
  readonly key: string;
  /** What it would have done. */
  readonly reason: string;
}

/**
 * The settings of the untrusted workspace layer `values` (validated and normalised) that may
 * apply over `base` (the user's settings merged over the defaults, normalised), and the ones
 * that may not. Lists the rule adds to come back holding the user's entries and the workspace's.
 */
export function screenWorkspace(
  values: Record<string, unknown>,
  base: Record<string, unknown>,
  file: string,
): { values: Record<string, unknown>; ignored: IgnoredSetting[] } {
  const ignored: IgnoredSetting[] = [];
  const walk = (node: Record<string, unknown>, baseNode: unknown, prefix: string) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const baseValue = isObject(baseNode) ? baseNode[key] : undefined;
      const rule = WORKSPACE_RULES[path];
      if (!rule) {
        // An object of the schema (validation has rejected unknown keys): its leaves have rules.
        out[key] = walk(value as Record<string, unknown>, baseValue, path);
        continue;
      }
      const kept = screenOne(rule, value, baseValue, path, file, ignored);
      if (kept !== undefined) out[key] = kept;
    }
    return out;
  };
  return { values: walk(values, base, ""), ignored };
}

function screenOne(
  rule: WorkspaceRule,
  value: unknown,
  base: unknown,
  key: string,
  file: string,
  ignored: IgnoredSetting[],
): unknown {
  if (rule.kind === "any" || sameJson(value, base)) return value;
  if (rule.kind === "add") {
    const all = [...((base as unknown[] | undefined) ?? []), ...(value as unknown[])];
    return all.filter((item, i) => all.findIndex((other) => sameJson(other, item)) === i);
  }
  if (rule.kind === "tighten") {
    if (rule.stricter(value, base)) return value;
    ignored.push({ file, key, reason: rule.why });
    return undefined;
  }
  if (key === "env.set") {
    // Per variable, so the log names what the file tried to set (never the value: a secret?).
    const set = value as Record<string, string>;
    const baseSet = (base ?? {}) as Record<string, string>;
    for (const name of Object.keys(set).filter((n) => baseSet[n] !== set[n])) {
      ignored.push({ file, key: `${key}.${name}`, reason: rule.why });
    }
    return undefined;
  }
  ignored.push({ file, key, reason: rule.why });
  return undefined;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
