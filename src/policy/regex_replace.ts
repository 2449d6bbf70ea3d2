/**
 * `regex.replace(s, pattern, value)` with the semantics of Go's `Regexp.ReplaceAllString`,
 * which OPA uses: `$1`, `$name`, `${name}` and `$$` in the replacement, and no replacement for
 * an empty match right after a previous match. Patterns are RE2 syntax; they run as JavaScript
 * regular expressions (`u` flag) after the RE2-only spellings are translated: a leading
 * `(?flags)` group and `(?P<name>...)` groups.
 */

type Part = string | number | { name: string };

interface Compiled {
  regex: RegExp;
}

const CACHE_LIMIT = 64;
// Policies pass the same few literal patterns on every evaluation; compile each once.
const regexCache = new Map<string, Compiled>();
const templateCache = new Map<string, Part[]>();

/** `s` with every match of `pattern` replaced by the expansion of `template`. */
export function regexReplace(s: string, pattern: string, template: string): string {
  const { regex } = compile(pattern);
  const parts = parseTemplate(template);
  let out = "";
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= s.length) {
    regex.lastIndex = searchPos;
    const match = regex.exec(s);
    if (!match) break;
    const start = match.index;
    const end = start + match[0].length;
    out += s.slice(lastMatchEnd, start);
    if (end > lastMatchEnd || start === 0) out += expand(parts, match);
    lastMatchEnd = end;
    // Always advance at least one character (a whole code point) past the search position.
    const width = searchPos < s.length ? (s.codePointAt(searchPos)! > 0xffff ? 2 : 1) : 1;
    searchPos = searchPos + width > end ? searchPos + width : end;
  }
  return out + s.slice(lastMatchEnd);
}

/** The RE2 pattern as a global JavaScript RegExp. Throws a SyntaxError when it is invalid. */
function compile(pattern: string): Compiled {
  let compiled = regexCache.get(pattern);
  if (compiled) return compiled;
  let source = pattern;
  let flags = "gu";
  const leading = /^\(\?([a-zA-Z]+)\)/.exec(source);
  if (leading) {
    for (const flag of leading[1]) {
      if (!"ims".includes(flag)) {
        throw new SyntaxError(`regex.replace: flag "${flag}" of ${pattern} is not supported`);
      }
      if (!flags.includes(flag)) flags += flag;
    }
    source = source.slice(leading[0].length);
  }
  source = source.replaceAll("(?P<", "(?<");
  compiled = { regex: new RegExp(source, flags) };
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

function expand(parts: Part[], match: RegExpExecArray): string {
  let out = "";
  for (const part of parts) {
    if (typeof part === "string") out += part;
    else if (typeof part === "number") out += match[part] ?? "";
    else out += match.groups?.[part.name] ?? "";
  }
  return out;
}
