/**
 * Applies a policy's `transform` decision to one JSON-RPC message: RFC 6902 patch ops, then
 * redactions, then hiding entries of list results. Only the message's `params` or `result` may
 * change, and never its set of top-level members: MCP peers drop messages with unknown
 * top-level members, and `jsonrpc`/`id`/`method` are what km correlates and audits by.
 */
import { applyJsonPatch, JsonPatchError, parsePointer } from "./json_patch.ts";
import { regexReplace } from "./wasm/regex_replace.ts";

/** Redact strings at `path`: matches of `pattern` (RE2 syntax), or whole strings without one. */
export interface Redaction {
  readonly path: string;
  readonly pattern?: string;
}

export interface Transform {
  /** RFC 6902 ops, from the policy. */
  readonly patch: readonly unknown[];
  /** From the policy. */
  readonly redact: readonly Redaction[];
  /** Names (or URIs) to remove from list results. */
  readonly hide: readonly string[];
}

export type TransformResult =
  | { readonly ok: true; readonly message: Record<string, unknown>; readonly changes: number }
  | { readonly ok: false; readonly error: string };

type Obj = Record<string, unknown>;

const REDACTED = "[REDACTED]";

/** Which array of which list result `hide` filters, and the members an entry is matched by. */
const HIDEABLE: Readonly<Record<string, { list: string; keys: readonly string[] }>> = {
  "tools/list": { list: "tools", keys: ["name"] },
  "prompts/list": { list: "prompts", keys: ["name"] },
  "resources/list": { list: "resources", keys: ["name", "uri"] },
  "resources/templates/list": { list: "resourceTemplates", keys: ["name", "uriTemplate"] },
};

/**
 * `message` with `transform` applied, on a deep copy (the input is never mutated).
 * `requestMethod` is the method of the request a response answers (e.g. "tools/list"), or the
 * message's own method for requests/notifications. `changes` counts the patch ops applied
 * (`test` ops change nothing and are not counted), strings redacted and entries hidden; 0 means
 * the message is unchanged, so the caller can forward the original bytes. Never throws.
 */
export function applyTransform(
  message: Record<string, unknown>,
  requestMethod: string | undefined,
  transform: Transform,
): TransformResult {
  try {
    const patched = patch(message, transform.patch);
    if (!patched.ok) return patched;
    const copy = patched.message;
    let changes = patched.changes;
    for (const [index, redaction] of transform.redact.entries()) {
      const redacted = redact(copy, redaction, index);
      if (typeof redacted === "string") return { ok: false, error: redacted };
      changes += redacted;
    }
    changes += hide(copy, requestMethod, transform.hide);
    return { ok: true, message: copy, changes };
  } catch (error) {
    return { ok: false, error: `transform failed: ${(error as Error).message}` };
  }
}

function patch(message: Obj, ops: readonly unknown[]): TransformResult {
  for (const [index, op] of ops.entries()) {
    // Malformed ops are left to applyJsonPatch, which names what is wrong with them.
    if (typeof op !== "object" || op === null) continue;
    const { op: name, path, from } = op as Obj;
    if (typeof path !== "string") continue;
    const hasFrom = (name === "move" || name === "copy") && typeof from === "string";
    const fromText = hasFrom ? `${from} to ` : "";
    const label = `patch op ${index} (${JSON.stringify(name)} ${fromText}${path})`;
    if (!isInBody(path)) {
      return { ok: false, error: `${label}: "path" must be /params, /result or under them` };
    }
    if (hasFrom && !isInBody(from as string)) {
      return { ok: false, error: `${label}: "from" must be /params, /result or under them` };
    }
  }
  let result: unknown;
  try {
    result = applyJsonPatch(structuredClone(message), ops);
  } catch (error) {
    if (error instanceof JsonPatchError) return { ok: false, error: error.message };
    throw error;
  }
  const before = Object.keys(message);
  const after = Object.keys(result as Obj);
  const gained = after.filter((key) => !Object.hasOwn(message, key));
  const lost = before.filter((key) => !Object.hasOwn(result as Obj, key));
  if (gained.length > 0 || lost.length > 0) {
    const what = [
      ...gained.map((key) => `add ${JSON.stringify(key)}`),
      ...lost.map((key) => `remove ${JSON.stringify(key)}`),
    ];
    return {
      ok: false,
      error: `patch must not change the message's top-level members, but would ${what.join(", ")}`,
    };
  }
  const changes = ops.filter((op) => (op as Obj).op !== "test").length;
  return { ok: true, message: result as Obj, changes };
}

/** Strings redacted in place in `message` (an owned copy), or an error text. */
function redact(message: Obj, redaction: Redaction, index: number): number | string {
  const { path, pattern } = redaction;
  const label = `redact ${index} (${path})`;
  if (!isInBody(path)) return `${label}: "path" must be /params, /result or under them`;
  let apply = (_: string) => REDACTED;
  if (pattern) {
    try {
      // Compile now, so a bad pattern fails even when there is nothing to redact.
      regexReplace("", pattern, REDACTED);
    } catch (error) {
      return `${label}: invalid pattern ${JSON.stringify(pattern)}: ${(error as Error).message}`;
    }
    apply = (s) => regexReplace(s, pattern, REDACTED);
  }
  let tokens: string[];
  try {
    tokens = parsePointer(path);
  } catch (error) {
    return `${label}: "path" ${(error as Error).message}`;
  }
  // Walk to the parent of the target; a path that leads nowhere has nothing to redact.
  let parent: unknown = message;
  for (const token of tokens.slice(0, -1)) {
    parent = child(parent, token);
    if (parent === undefined) return 0;
  }
  const key = tokens[tokens.length - 1];
  const target = child(parent, key);
  if (typeof target === "string") {
    const replaced = apply(target);
    if (replaced === target) return 0;
    (parent as Obj)[key] = replaced; // the member exists, so this never sets a prototype
    return 1;
  }
  return redactWithin(target, apply);
}

/** Redacts every string inside `node` in place; how many changed. */
function redactWithin(node: unknown, apply: (s: string) => string): number {
  if (typeof node !== "object" || node === null) return 0;
  let changes = 0;
  const container = node as Obj;
  for (const key of Object.keys(container)) {
    const value = container[key];
    if (typeof value === "string") {
      const replaced = apply(value);
      if (replaced !== value) {
        container[key] = replaced;
        changes++;
      }
    } else {
      changes += redactWithin(value, apply);
    }
  }
  return changes;
}

/** Removes hidden entries from the list result in place; how many were removed. */
function hide(message: Obj, requestMethod: string | undefined, names: readonly string[]): number {
  const kind = requestMethod === undefined ? undefined : HIDEABLE[requestMethod];
  if (!kind || names.length === 0) return 0;
  const result = message.result;
  if (typeof result !== "object" || result === null || Array.isArray(result)) return 0;
  const entries = (result as Obj)[kind.list];
  if (!Array.isArray(entries)) return 0;
  const hidden = new Set(names);
  const kept = entries.filter((entry) =>
    typeof entry !== "object" || entry === null ||
    !kind.keys.some((key) => hidden.has((entry as Obj)[key] as string))
  );
  (result as Obj)[kind.list] = kept;
  return entries.length - kept.length;
}

/** The member or element `token` names, or undefined when there is none. */
function child(node: unknown, token: string): unknown {
  if (Array.isArray(node)) {
    return /^(0|[1-9][0-9]*)$/.test(token) ? node[Number(token)] : undefined;
  }
  if (typeof node === "object" && node !== null && Object.hasOwn(node, token)) {
    return (node as Obj)[token];
  }
  return undefined;
}

/** Whether a pointer is within the message's body: `params` or `result`. */
function isInBody(pointer: string): boolean {
  return pointer === "/params" || pointer.startsWith("/params/") ||
    pointer === "/result" || pointer.startsWith("/result/");
}
