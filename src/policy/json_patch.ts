/**
 * JSON Patch (RFC 6902) over JSON Pointers (RFC 6901), as a pure function: the input document is
 * never mutated. Each op copies only the containers on its path, so the result shares untouched
 * subtrees with the input; values taken from the ops (and `copy` sources) are cloned so the
 * result never aliases the patch or itself.
 */
import { isJsonObject as isObject } from "../json_object.ts";

/** A patch that is malformed or cannot be applied. `index` is the failing op's position. */
export class JsonPatchError extends Error {
  override readonly name = "JsonPatchError";
  constructor(readonly index: number, message: string) {
    super(message);
  }
}

const OPS = ["add", "remove", "replace", "move", "copy", "test"] as const;
type OpName = typeof OPS[number];

interface Op {
  readonly op: OpName;
  readonly path: readonly string[];
  readonly from?: readonly string[];
  readonly value?: unknown;
}

type Obj = Record<string, unknown>;

/** Why one op failed; applyJsonPatch adds which op it was. */
class OpFailure extends Error {}

/**
 * `document` with `ops` applied in order. Throws JsonPatchError when an op is malformed or
 * does not apply (including a failed `test`): the patch is then applied not at all.
 *
 * @example
 * applyJsonPatch({ a: [1] }, [{ op: "add", path: "/a/-", value: 2 }]); // { a: [1, 2] }
 */
export function applyJsonPatch(document: unknown, ops: readonly unknown[]): unknown {
  let doc = document;
  ops.forEach((raw, index) => {
    const op = readOp(raw, index);
    try {
      doc = applyOp(doc, op);
    } catch (error) {
      if (!(error instanceof OpFailure)) throw error;
      throw new JsonPatchError(index, `${label(raw, index)}: ${error.message}`);
    }
  });
  return doc;
}

function applyOp(doc: unknown, op: Op): unknown {
  switch (op.op) {
    case "add":
      return add(doc, op.path, cloneJson(op.value));
    case "remove":
      return remove(doc, op.path);
    case "replace":
      return replace(doc, op.path, cloneJson(op.value));
    case "move": {
      const from = op.from!;
      const value = get(doc, from, '"from"');
      if (isPrefix(from, op.path)) {
        if (from.length === op.path.length) return doc; // moving a value onto itself
        throw new OpFailure('"from" must not be a parent of "path"');
      }
      return add(remove(doc, from), op.path, value);
    }
    case "copy":
      return add(doc, op.path, cloneJson(get(doc, op.from!, '"from"')));
    case "test":
      if (!jsonEqual(get(doc, op.path, "path"), op.value)) {
        // The values are not shown: they may come from the message and hold secrets.
        throw new OpFailure("test failed: the value differs");
      }
      return doc;
  }
}

function add(doc: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  return editParent(doc, path, 0, (parent, key) => {
    if (Array.isArray(parent)) {
      const index = key === "-" ? parent.length : arrayIndex(key, parent.length + 1);
      return [...parent.slice(0, index), value, ...parent.slice(index)];
    }
    return withMember(parent, key, value);
  });
}

function remove(doc: unknown, path: readonly string[]): unknown {
  if (path.length === 0) throw new OpFailure("cannot remove the whole document");
  return editParent(doc, path, 0, (parent, key) => {
    if (Array.isArray(parent)) {
      const index = arrayIndex(key, parent.length);
      return [...parent.slice(0, index), ...parent.slice(index + 1)];
    }
    if (!Object.hasOwn(parent, key)) throw new OpFailure("path does not exist");
    const copy = { ...parent };
    delete copy[key];
    return copy;
  });
}

function replace(doc: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  return editParent(doc, path, 0, (parent, key) => {
    if (Array.isArray(parent)) {
      const copy = [...parent];
      copy[arrayIndex(key, parent.length)] = value;
      return copy;
    }
    if (!Object.hasOwn(parent, key)) throw new OpFailure("path does not exist");
    return withMember(parent, key, value);
  });
}

/** Rebuilds the containers from `node` down to the parent of `path`, which `edit` replaces. */
function editParent(
  node: unknown,
  path: readonly string[],
  depth: number,
  edit: (parent: Obj | unknown[], key: string) => unknown,
): unknown {
  if (!isContainer(node)) throw new OpFailure("path does not exist");
  const key = path[depth];
  if (depth === path.length - 1) return edit(node, key);
  const child = editParent(childOf(node, key, "path"), path, depth + 1, edit);
  if (Array.isArray(node)) {
    const copy = [...node];
    copy[Number(key)] = child;
    return copy;
  }
  return withMember(node, key, child);
}

function get(doc: unknown, path: readonly string[], what: string): unknown {
  let node = doc;
  for (const key of path) node = childOf(node, key, what);
  return node;
}

function childOf(node: unknown, key: string, what: string): unknown {
  if (Array.isArray(node)) {
    const index = /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : -1;
    if (index >= 0 && index < node.length) return node[index];
  } else if (isObject(node) && Object.hasOwn(node, key)) {
    return node[key];
  }
  throw new OpFailure(`${what} does not exist`);
}

/** The array index `key` names, below `limit`. */
function arrayIndex(key: string, limit: number): number {
  if (!/^(0|[1-9][0-9]*)$/.test(key)) {
    throw new OpFailure(`"${key}" is not an array index`);
  }
  const index = Number(key);
  if (index >= limit) throw new OpFailure(`array index ${key} is out of range`);
  return index;
}

/** A shallow copy of `obj` with `key` set; defined, not assigned, so "__proto__" stays data. */
function withMember(obj: Obj, key: string, value: unknown): Obj {
  const copy = { ...obj };
  Object.defineProperty(copy, key, { value, writable: true, enumerable: true, configurable: true });
  return copy;
}

function readOp(raw: unknown, index: number): Op {
  const fail = (what: string) => new JsonPatchError(index, `${label(raw, index)}: ${what}`);
  if (!isObject(raw)) throw fail("an op must be an object");
  if (!OPS.includes(raw.op as OpName)) throw fail(`"op" must be one of ${OPS.join(", ")}`);
  const op = raw.op as OpName;
  const pointer = (member: "path" | "from"): string[] => {
    const text = raw[member];
    if (typeof text !== "string") throw fail(`"${member}" must be a string`);
    try {
      return parsePointer(text);
    } catch (error) {
      throw fail(`"${member}" ${(error as Error).message}`);
    }
  };
  const path = pointer("path");
  if (op === "move" || op === "copy") return { op, path, from: pointer("from") };
  if (op === "add" || op === "replace" || op === "test") {
    if (!("value" in raw)) throw fail('"value" is missing');
    return { op, path, value: raw.value };
  }
  return { op, path };
}

/** The reference tokens of an RFC 6901 pointer. */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new Error(`${JSON.stringify(pointer)} must start with "/"`);
  return pointer.slice(1).split("/").map((token) => {
    if (/~(?![01])/.test(token)) {
      throw new Error(`${JSON.stringify(pointer)} has a "~" not followed by 0 or 1`);
    }
    // ~1 first, so that "~01" becomes "~1" and not "/".
    return token.replaceAll("~1", "/").replaceAll("~0", "~");
  });
}

/** How an error names an op: `patch op 2 ("replace" /params/x)`, or less when it is malformed. */
function label(raw: unknown, index: number): string {
  if (!isObject(raw) || typeof raw.op !== "string" || typeof raw.path !== "string") {
    return `patch op ${index}`;
  }
  const from = typeof raw.from === "string" && (raw.op === "move" || raw.op === "copy")
    ? `${raw.from} to `
    : "";
  return `patch op ${index} (${JSON.stringify(raw.op)} ${from}${raw.path})`;
}

function isPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((token, i) => token === path[i]);
}

/** Structural equality of JSON values, as `test` defines it (member order does not matter). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length &&
    keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
}

function cloneJson(value: unknown): unknown {
  return typeof value === "object" && value !== null ? structuredClone(value) : value;
}

function isContainer(value: unknown): value is Obj | unknown[] {
  return typeof value === "object" && value !== null;
}
