/**
 * What changed between a pinned definition and the one listed now, as a list of fields with
 * their value before and after: a policy can ask whether only `description` changed, and the
 * audit log shows the change without the whole definition. Pure.
 */
import { isJsonObject as isObject } from "../json_object.ts";
import { canonicalJson } from "./definition.ts";

/** One changed field; `before` is absent for a field added, `after` for one removed. */
export interface FieldChange {
  /** The path from the definition's top: `description`, `inputSchema.properties.path.type`. */
  readonly field: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Changes listed per definition, at most; more are summed up in one last entry. */
export const MAX_CHANGES = 64;

/** `a.b`, or `a["x.y"]` for a key that is not a plain name. */
function join(path: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/**
 * The fields that differ, objects compared key by key and arrays of equal length element by
 * element (others whole). The whole definition is one change (`field: ""`) when it is not an
 * object.
 */
export function diffDefinitions(before: unknown, after: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  let dropped = 0;
  const push = (change: FieldChange) => {
    // The last place is kept for the summary of what does not fit.
    if (out.length < MAX_CHANGES - 1) out.push(change);
    else dropped++;
  };
  const walk = (b: unknown, a: unknown, path: string, depth: number) => {
    if (b === a) return;
    if (depth < 32 && isObject(b) && isObject(a)) {
      const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
      for (const key of keys) {
        const inB = Object.hasOwn(b, key), inA = Object.hasOwn(a, key);
        const p = join(path, key);
        if (!inA) push({ field: p, before: b[key] });
        else if (!inB) push({ field: p, after: a[key] });
        else walk(b[key], a[key], p, depth + 1);
      }
      return;
    }
    if (depth < 32 && Array.isArray(b) && Array.isArray(a) && b.length === a.length) {
      for (let i = 0; i < a.length; i++) walk(b[i], a[i], `${path}[${i}]`, depth + 1);
      return;
    }
    if (typeof b !== "object" || typeof a !== "object" || canonicalJson(b) !== canonicalJson(a)) {
      push({ field: path, before: b, after: a });
    }
  };
  walk(before, after, "", 0);
  if (dropped > 0) out.push({ field: "…", after: `${dropped} more changed fields not listed` });
  return out;
}
