/**
 * Regular expressions that come from outside km (a policy's `regex.replace` and `redact`
 * patterns, configured redaction patterns), matched with RE2 semantics in time linear in the
 * input. The text they run over is chosen by whoever talks through km (tool arguments, server
 * output); JavaScript's backtracking RegExp takes exponential time on a pattern such as `(a+)+$`,
 * which would stall the relay. The engine is re2js, a pure-JS (ESM) port of RE2/J; its syntax
 * and matching are those of Go's `regexp`, which OPA's `regex.*` built-ins use.
 */
import { RE2JS } from "re2js";

/** An invalid pattern, or one using a feature RE2 does not have; the message says which. */
export class Re2SyntaxError extends SyntaxError {
  override name = "Re2SyntaxError";
}

/** One match: offsets in UTF-16 code units, like String indices. */
export interface Re2Match {
  readonly start: number;
  readonly end: number;
  /** Group by number or name; undefined when it did not take part or does not exist. */
  group(ref: number | string): string | undefined;
}

/** Flag letters, as RE2's `(?flags)`: case-insensitive, multi-line, `.` matches `\n`, ungreedy. */
const RE2_FLAGS = "imsU";
/** Accepted for JavaScript habits and ignored: every replacement is global and by code point. */
const IGNORED_FLAGS = "gu";

export class Re2 {
  /** The pattern as written (without the flags). */
  readonly source: string;
  /** Which engine runs it, so that tests can tell a linear pattern from a backtracking one. */
  readonly engine = "re2js";
  readonly #re: RE2JS;
  readonly #named: Readonly<Record<string, number>>;
  readonly #groupCount: number;

  /** Throws Re2SyntaxError, naming the pattern and what is wrong with it. */
  constructor(pattern: string, flags = "") {
    this.source = pattern;
    const prefix = flagPrefix(pattern, flags);
    try {
      this.#re = RE2JS.compile(prefix + pattern);
    } catch (error) {
      throw new Re2SyntaxError(describe(pattern, error));
    }
    this.#named = this.#re.namedGroups();
    this.#groupCount = this.#re.groupCount();
  }

  /** Whether the pattern matches anywhere in `text` (the fast path: no groups are tracked). */
  test(text: string): boolean {
    return this.#re.test(text);
  }

  /**
   * `text` with every match replaced by what `replacement` returns for it, walked as Go's
   * `Regexp.ReplaceAllStringFunc` does: an empty match right after a previous match is not
   * replaced, and the search always advances by at least one code point.
   */
  replaceAll(text: string, replacement: (match: Re2Match) => string): string {
    const matcher = this.#re.matcher(text);
    const named = this.#named;
    const groupCount = this.#groupCount;
    let out = "";
    let lastMatchEnd = 0;
    let searchPos = 0;
    while (searchPos <= text.length && matcher.find(searchPos)) {
      const start = matcher.start();
      const end = matcher.end();
      out += text.slice(lastMatchEnd, start);
      if (end > lastMatchEnd || start === 0) {
        out += replacement({
          start,
          end,
          group(ref) {
            const index = typeof ref === "number" ? ref : named[ref];
            if (index === undefined || !(index >= 0 && index <= groupCount)) return undefined;
            return matcher.group(index) ?? undefined;
          },
        });
      }
      lastMatchEnd = end;
      const width = searchPos < text.length && text.codePointAt(searchPos)! > 0xffff ? 2 : 1;
      searchPos = searchPos + width > end ? searchPos + width : end;
    }
    return out + text.slice(lastMatchEnd);
  }
}

/** What is wrong with `pattern` (and `flags`) as an RE2 pattern, or undefined when nothing is. */
export function re2Problem(pattern: string, flags = ""): string | undefined {
  try {
    new Re2(pattern, flags);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** What is wrong with `flags` (letters for RE2's `(?flags)`), or undefined when nothing is. */
export function re2FlagsProblem(flags: string): string | undefined {
  const bad = [...flags].find((flag) => !RE2_FLAGS.includes(flag) && !IGNORED_FLAGS.includes(flag));
  return bad === undefined ? undefined : `flag "${bad}" is not supported (RE2 flags: i, m, s, U)`;
}

function flagPrefix(pattern: string, flags: string): string {
  const problem = re2FlagsProblem(flags);
  if (problem) throw new Re2SyntaxError(`${quote(pattern)}: ${problem}`);
  const used = [...new Set(flags)].filter((flag) => RE2_FLAGS.includes(flag)).join("");
  return used ? `(?${used})` : "";
}

/**
 * re2js reports Go's messages ("invalid escape sequence: `\1`"); the features people most often
 * carry over from other engines get a plain explanation after it.
 */
function describe(pattern: string, error: unknown): string {
  const message = (error as Error).message.replace(/^error parsing regexp: /, "");
  const hint = hintFor(message);
  return `${quote(pattern)} is not a valid RE2 pattern: ${message}${hint ? ` (${hint})` : ""}`;
}

function hintFor(message: string): string | undefined {
  const noBacktracking = "RE2 runs in linear time and has no";
  if (/`\\[1-9k]/.test(message)) {
    return `backreferences are not supported: ${noBacktracking} backreferences`;
  }
  if (/`\(\?[=!]/.test(message)) return `lookahead is not supported: ${noBacktracking} lookaround`;
  if (/`\(\?<[=!]/.test(message)) {
    return `lookbehind is not supported: ${noBacktracking} lookaround`;
  }
  if (/`\(\?>/.test(message)) return "atomic groups are not supported";
  if (/nested repetition operator: `.*\+`/.test(message)) {
    return "possessive quantifiers are not supported";
  }
  if (/`\\Z`/.test(message)) return "for the end of the text use \\z, or $ without the m flag";
  return undefined;
}

function quote(pattern: string): string {
  return JSON.stringify(pattern);
}
