/**
 * What `JSON.parse` hides about a text: how deep it nests, and whether an object names a member
 * twice (exactly, or in another letter case). `JSON.parse` keeps the last of duplicate members;
 * other parsers keep the first, and some match member names case-insensitively (Go's
 * `encoding/json`), so such a message can mean one thing to km and another to its receiver.
 *
 * One pass over text already known to be valid JSON, without recursion: a million nested
 * brackets cost a stack of a million small entries, never the call stack.
 */

import { closingQuote } from "./json_depth.ts";

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** What the scan found. */
export interface Structure {
  /** The deepest nesting of objects and arrays (0 for a scalar), as far as the scan went. */
  readonly depth: number;
  /** A member name that some object has twice, as written the second time. */
  readonly duplicate?: string;
  /** Two member names of one object that differ only in letter case. */
  readonly caseVariants?: readonly [string, string];
}

/** Member names of one open object, and their case-folded forms. */
interface OpenObject {
  readonly names: string[];
  readonly folds: string[];
}

/**
 * Scans `text`, which must be valid JSON (it is not validated again). Stops at the first
 * duplicate or case variant, since one is enough to distrust the message.
 */
export function scanStructure(text: string): Structure {
  // One entry per open container: the object's names, or null for an array.
  const open: (OpenObject | null)[] = [];
  let depth = 0;
  let expectName = false;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const close = closingQuote(text, i);
      const top = open[open.length - 1];
      if (expectName && top) {
        const literal = text.slice(i + 1, close);
        const name = literal.includes("\\") ? JSON.parse(text.slice(i, close + 1)) : literal;
        const clash = addName(top, name);
        if (clash !== undefined) {
          return clash === name
            ? { depth, duplicate: name }
            : { depth, caseVariants: [clash, name] };
        }
      }
      expectName = false;
      i = close + 1;
      continue;
    }
    switch (c) {
      case OPEN_BRACE:
        open.push({ names: [], folds: [] });
        if (open.length > depth) depth = open.length;
        expectName = true;
        break;
      case OPEN_BRACKET:
        open.push(null);
        if (open.length > depth) depth = open.length;
        expectName = false;
        break;
      case CLOSE_BRACE:
      case CLOSE_BRACKET:
        open.pop();
        expectName = false;
        break;
      case COMMA:
        expectName = open.length > 0 && open[open.length - 1] !== null;
        break;
      case COLON:
        expectName = false;
        break;
    }
    i++;
  }
  return { depth };
}

/**
 * Adds a member name to its object. Returns the earlier name it clashes with (the same name,
 * or one that differs only in case), or undefined.
 */
function addName(object: OpenObject, name: string): string | undefined {
  const fold = foldCase(name);
  const { names, folds } = object;
  for (let k = 0; k < folds.length; k++) {
    if (folds[k] === fold) return names[k] === name ? name : names[k];
  }
  names.push(name);
  folds.push(fold);
  return undefined;
}

/**
 * A simple case fold: upper then lower case, so that letters whose upper case is shared (`ſ`
 * and `s`, the Kelvin sign and `k`) fold together, as Go's `strings.EqualFold` sees them.
 */
function foldCase(name: string): string {
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c >= 0x80 || (c >= 0x41 && c <= 0x5a)) return name.toUpperCase().toLowerCase();
  }
  return name;
}
