/**
 * `regex.replace(s, pattern, value)` with the semantics of Go's `Regexp.ReplaceAllString`,
 * which OPA uses: `$1`, `$name`, `${name}` and `$$` in the replacement, and no replacement for
 * an empty match right after a previous match. Patterns are RE2 syntax and run on the
 * linear-time engine (src/re2.ts): the text comes from messages, and a policy's pattern must not
 * let a message stall the relay.
 */
import { Re2, type Re2Match } from "../../re2.ts";

type Part = string | number | { name: string };

const CACHE_LIMIT = 64;
// Policies pass the same few literal patterns on every evaluation; compile each once.
const regexCache = new Map<string, Re2>();
const templateCache = new Map<string, Part[]>();

/**
 * `s` with every match of `pattern` replaced by the expansion of `template`. Throws a
 * Re2SyntaxError (a SyntaxError naming the pattern) when the pattern is not valid RE2.
 */
export function regexReplace(s: string, pattern: string, template: string): string {
  const regex = compile(pattern);
  const parts = parseTemplate(template);
  return regex.replaceAll(s, (match) => expand(parts, match));
}

function compile(pattern: string): Re2 {
  let compiled = regexCache.get(pattern);
  if (compiled) return compiled;
  compiled = new Re2(pattern);
  if (regexCache.size >= CACHE_LIMIT) regexCache.clear();
  regexCache.set(pattern, compiled);
  return compiled;
}

/** Splits a Go replacement template into literal text and group references. */
function parseTemplate(template: string): Part[] {
  let parts = templateCache.get(template);
  if (parts) return parts;
  parts = [];
  let literal = "";
  let rest = template;
  for (let dollar = rest.indexOf("$"); dollar >= 0; dollar = rest.indexOf("$")) {
    literal += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith("$")) {
      literal += "$";
      rest = rest.slice(1);
      continue;
    }
    const ref = /^(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(rest);
    if (!ref) {
      literal += "$"; // malformed: Go keeps the $ as text
      continue;
    }
    const name = ref[1] ?? ref[2];
    rest = rest.slice(ref[0].length);
    if (literal) parts.push(literal);
    literal = "";
    // Go reads an all-digit name without a leading zero (and below 1e8) as a group number.
    parts.push(/^(0|[1-9][0-9]{0,7})$/.test(name) ? Number(name) : { name });
  }
  literal += rest;
  if (literal) parts.push(literal);
  if (templateCache.size >= CACHE_LIMIT) templateCache.clear();
  templateCache.set(template, parts);
  return parts;
}

function expand(parts: Part[], match: Re2Match): string {
  let out = "";
  for (const part of parts) {
    if (typeof part === "string") out += part;
    else out += match.group(typeof part === "number" ? part : part.name) ?? "";
  }
  return out;
}
