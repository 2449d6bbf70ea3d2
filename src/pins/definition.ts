/**
 * What a pin is of: a tool's, prompt's or resource template's definition as the server listed
 * it, in a canonical form (keys sorted, `_meta` left out) whose hash changes exactly when what
 * a client may show the model changes. Also the server identity pins are kept under, and the
 * "skeleton" of a name that tells look-alike names apart. Pure.
 */
import { sha256Hex } from "../sha256.ts";

type Obj = Record<string, unknown>;

/** The three kinds of definition a server lists. */
export type ListKind = "tools" | "prompts" | "resource_templates";

export const LIST_KINDS: readonly ListKind[] = ["tools", "prompts", "resource_templates"];

/** The list method of each kind and the member of its result that holds the items. */
export const LIST_METHODS: Readonly<Record<string, { kind: ListKind; member: string }>> = {
  "tools/list": { kind: "tools", member: "tools" },
  "prompts/list": { kind: "prompts", member: "prompts" },
  "resources/templates/list": { kind: "resource_templates", member: "resourceTemplates" },
};

/** Nesting beyond which a definition is written as received rather than with sorted keys. */
const MAX_CANONICAL_DEPTH = 64;

/**
 * A definition as pinned: the item as listed, less `_meta` (which clients do not show the
 * model, and which servers fill with timestamps and trace ids).
 */
export function pinnedDefinition(item: Obj): Obj {
  if (!Object.hasOwn(item, "_meta")) return item;
  const { _meta: _, ...rest } = item;
  return rest;
}

/** JSON text with every object's keys sorted: equal definitions give equal text. */
export function canonicalJson(value: unknown, depth = 0): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "null";
  if (depth >= MAX_CANONICAL_DEPTH) return JSON.stringify(value);
  if (Array.isArray(value)) {
    return `[${value.map((v) => canonicalJson(v, depth + 1)).join(",")}]`;
  }
  const keys = Object.keys(value).sort();
  const parts: string[] = [];
  for (const key of keys) {
    const v = (value as Obj)[key];
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(v, depth + 1)}`);
  }
  return `{${parts.join(",")}}`;
}

const encoder = new TextEncoder();

/** `sha256:<hex>` of a canonical JSON text. */
export function hashOf(canonical: string): string {
  return `sha256:${sha256Hex(encoder.encode(canonical))}`;
}

/**
 * Who pins belong to: the argv km starts (a version written in a package argument left out,
 * so that an upgrade is compared with the version before) and the name the server reports in
 * `serverInfo`. Its `id` names the pin file.
 */
export interface ServerIdentity {
  readonly command: readonly string[];
  readonly serverName: string;
  readonly id: string;
  /**
   * The name km's session gave the server (`--name`, e.g. the one `km wrap` writes): not part of
   * the identity, but a name `km pins` finds it by.
   */
  readonly kmName?: string;
}

/**
 * `@scope/name@1.2.3`, `name@latest`, `name==1.2`, `name@1.2.3` (npm, pnpm, uvx, pipx): the
 * version part of a package argument. Paths and URLs (with `/` after the `@`) are left alone.
 */
const VERSIONED_NPM = /^((?:@[^@/\s]+\/)?[^@/\s]+)@[^@/\s]+$/;
const VERSIONED_PYPI = /^([A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?)(?:==|~=|>=)[^\s]+$/;

/** An argument with a package version removed, or the argument itself. */
export function unversioned(arg: string): string {
  const npm = VERSIONED_NPM.exec(arg);
  if (npm && !arg.startsWith("-")) return npm[1];
  const pypi = VERSIONED_PYPI.exec(arg);
  return pypi && !arg.startsWith("-") ? pypi[1] : arg;
}

export function serverIdentity(command: readonly string[], serverName: string): ServerIdentity {
  const kept = command.map(unversioned);
  const id = hashOf(canonicalJson({ command: kept, server_name: serverName })).slice(7, 39);
  return { command: kept, serverName, id };
}

/**
 * Cyrillic and Greek letters drawn like Latin ones, mapped to the Latin letter (after
 * lowercasing): enough for the look-alike names a server would use to shadow a tool.
 */
const HOMOGLYPHS: Readonly<Record<string, string>> = {
  "а": "a",
  "в": "b",
  "е": "e",
  "ё": "e",
  "к": "k",
  "м": "m",
  "н": "h",
  "о": "o",
  "р": "p",
  "с": "c",
  "т": "t",
  "у": "y",
  "х": "x",
  "і": "i",
  "ї": "i",
  "ј": "j",
  "ѕ": "s",
  "ԁ": "d",
  "ԛ": "q",
  "ԝ": "w",
  "ɡ": "g",
  "α": "a",
  "β": "b",
  "ε": "e",
  "ι": "i",
  "κ": "k",
  "ν": "v",
  "ο": "o",
  "ρ": "p",
  "τ": "t",
  "υ": "u",
  "χ": "x",
  "ı": "i",
};

/** Characters that draw nothing, removed from a name's skeleton. */
const INVISIBLE_IN_NAME =
  /[\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\u3164\ufe00-\ufe0f\ufeff\uffa0]|\udb40[\udc00-\udc7f\udd00-\uddef]/g;

/**
 * What a name looks like: NFKC, lowercase, invisible characters removed, Cyrillic and Greek
 * look-alikes made Latin. Two different names with one skeleton are confusable.
 */
export function nameSkeleton(name: string): string {
  const folded = name.normalize("NFKC").toLowerCase().replace(INVISIBLE_IN_NAME, "");
  let out = "";
  for (const ch of folded) out += HOMOGLYPHS[ch] ?? ch;
  return out;
}
