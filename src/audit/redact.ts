/**
 * Redaction of secrets before anything is written to the audit log. Pure: rules in, copies out.
 *
 * Two mechanisms: patterns that find credentials inside any string (keys of major providers,
 * bearer tokens, private key blocks...), and field names whose whole value is a secret
 * (`password`, `api_key`, `authorization`...). Long strings are truncated in the same walk.
 * Configured patterns are RE2 and run on the linear-time engine (src/re2.ts), like the two
 * built-in rules that would backtrack badly on JavaScript's (see redaction_rules.ts).
 */
import { Re2 } from "../re2.ts";
import {
  BUILTIN_FIELDS,
  BUILTIN_RULES,
  BUILTIN_TRIGGERS,
  type RedactionRule,
} from "./redaction_rules.ts";

export interface RedactorOptions {
  readonly rules: readonly RedactionRule[];
  /** Field names (compared case-insensitively, `-` and `_` alike) whose values are secrets. */
  readonly fields: readonly string[];
  /** Strings longer than this are cut, with a note of how much was dropped. */
  readonly maxStringChars: number;
}

/** What a redaction pass changed. */
export interface RedactionResult<T> {
  readonly value: T;
  readonly redactions: number;
  readonly truncated: number;
}

/** Shortest string that any rule could match; shorter strings are skipped. */
const MIN_SECRET_CHARS = 8;

export class Redactor {
  readonly #rules: readonly RedactionRule[];
  readonly #fields: ReadonlySet<string>;
  readonly #maxChars: number;
  /** Undefined when a configured pattern has no known trigger: then every string is checked. */
  readonly #trigger: RegExp | undefined;
  readonly #normalised = new Map<string, string>();

  constructor(options: RedactorOptions & { readonly triggers?: readonly string[] }) {
    this.#rules = options.rules;
    this.#fields = new Set(options.fields.map(normaliseField));
    this.#maxChars = options.maxStringChars;
    const triggers = options.triggers ?? BUILTIN_TRIGGERS;
    if (options.rules.length === 0 && options.fields.length === 0) this.#trigger = /(?!)/;
    else if (triggers.length > 0) this.#trigger = new RegExp(triggers.join("|"));
  }

  get maxStringChars(): number {
    return this.#maxChars;
  }

  /** Redacts and truncates one string. */
  text(input: string): RedactionResult<string> {
    const counter = { redactions: 0, truncated: 0 };
    return { value: this.#string(input, counter), ...counter };
  }

  /** Returns a redacted copy of a JSON value (the input is not modified). */
  value<T>(input: T): RedactionResult<T> {
    const counter = { redactions: 0, truncated: 0 };
    return { value: this.#walk(input, counter) as T, ...counter };
  }

  /**
   * The JSON text to log for `value`, which was parsed from `text`: `text` itself when there
   * is nothing to redact or shorten (the common case, with no copy and no re-serialising),
   * otherwise a redacted copy serialised again.
   */
  json(text: string, value: unknown): RedactionResult<string> {
    // A line break other than \n would split a JSON Lines record for some readers.
    const embeddable = !text.includes("\r");
    if (embeddable && text.length <= this.#maxChars) {
      // Without escapes, every string and key appears verbatim in the text.
      if (!text.includes("\\") && !this.#mayMatch(text)) {
        return { value: text, redactions: 0, truncated: 0 };
      }
      if (!this.#needsWork(value)) return { value: text, redactions: 0, truncated: 0 };
    } else if (embeddable && !this.#needsWork(value)) {
      return { value: text, redactions: 0, truncated: 0 };
    }
    const redacted = this.value(value);
    return { ...redacted, value: JSON.stringify(redacted.value) };
  }

  #mayMatch(text: string): boolean {
    return this.#trigger === undefined || this.#trigger.test(text.toLowerCase());
  }

  /** Whether redacting `input` would change anything. */
  #needsWork(input: unknown): boolean {
    if (typeof input === "string") {
      if (input.length > this.#maxChars) return true;
      return input.length >= MIN_SECRET_CHARS && this.#mayMatch(input) &&
        this.#rules.some((rule) => matches(rule, input));
    }
    if (Array.isArray(input)) return input.some((item) => this.#needsWork(item));
    if (input === null || typeof input !== "object") return false;
    for (const [key, value] of Object.entries(input)) {
      if (this.#isSecretField(key) && value !== null && typeof value !== "object") return true;
      if (this.#needsWork(value)) return true;
    }
    return false;
  }

  #isSecretField(key: string): boolean {
    let normal = this.#normalised.get(key);
    if (normal === undefined) {
      normal = normaliseField(key);
      if (this.#normalised.size < 10_000) this.#normalised.set(key, normal);
    }
    return this.#fields.has(normal);
  }

  #walk(input: unknown, counter: Counter): unknown {
    if (typeof input === "string") return this.#string(input, counter);
    if (Array.isArray(input)) return input.map((item) => this.#walk(item, counter));
    if (input === null || typeof input !== "object") return input;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(input)) {
      if (this.#isSecretField(key) && value !== null && typeof value !== "object") {
        counter.redactions++;
        out[key] = "[REDACTED:field]";
      } else {
        out[key] = this.#walk(value, counter);
      }
    }
    return out;
  }

  #string(input: string, counter: Counter): string {
    let text = input;
    let cut = 0;
    if (text.length > this.#maxChars) {
      // Redact a little beyond the cut so a secret straddling it is still recognised.
      cut = text.length - this.#maxChars;
      text = text.slice(0, this.#maxChars + 256);
    }
    if (text.length >= MIN_SECRET_CHARS && this.#mayMatch(text)) {
      for (const rule of this.#rules) {
        if (matches(rule, text)) text = redactMatches(rule, text, counter);
      }
    }
    if (cut > 0) {
      counter.truncated++;
      text = `${text.slice(0, this.#maxChars)}…[truncated ${cut} chars]`;
    }
    return text;
  }
}

interface Counter {
  redactions: number;
  truncated: number;
}

function matches(rule: RedactionRule, text: string): boolean {
  if (rule.pattern instanceof Re2) return rule.pattern.test(text);
  rule.pattern.lastIndex = 0;
  return rule.pattern.test(text);
}

/** `text` with each match of the rule replaced by its label, keeping groups `keep`/`after`. */
function redactMatches(rule: RedactionRule, text: string, counter: Counter): string {
  const label = `[REDACTED:${rule.name}]`;
  if (rule.pattern instanceof Re2) {
    return rule.pattern.replaceAll(text, (match) => {
      counter.redactions++;
      return `${match.group("keep") ?? ""}${label}${match.group("after") ?? ""}`;
    });
  }
  return text.replace(rule.pattern, (...args) => {
    counter.redactions++;
    const groups = args[args.length - 1] as { keep?: string; after?: string } | undefined;
    return `${groups?.keep ?? ""}${label}${groups?.after ?? ""}`;
  });
}

function normaliseField(name: string): string {
  return name.toLowerCase().replaceAll("-", "_");
}

/** Settings of the `redaction` config key. */
export interface RedactionSettings {
  readonly enabled: boolean;
  readonly disable: readonly string[];
  readonly fields: readonly string[];
  readonly patterns: readonly {
    readonly name: string;
    readonly regex: string;
    readonly flags?: string;
  }[];
}

/**
 * The redactor a configuration asks for. Returns an error message (naming the rule) instead
 * of a redactor when a configured pattern is not valid RE2 (a backreference, a lookaround...)
 * or a disabled name is unknown. Configured patterns run on the linear-time engine: a pattern
 * that backtracks badly must not let the text it meets stall the relay.
 */
export function redactorFor(
  settings: RedactionSettings,
  maxStringChars: number,
): Redactor | string {
  if (!settings.enabled) return new Redactor({ rules: [], fields: [], maxStringChars });
  const known = new Set(BUILTIN_RULES.map((r) => r.name));
  const unknown = settings.disable.find((name) => !known.has(name));
  if (unknown) {
    return `redaction.disable: unknown rule "${unknown}" (built-in rules: ${
      [...known].join(", ")
    })`;
  }
  const rules = BUILTIN_RULES.filter((r) => !settings.disable.includes(r.name));
  for (const [i, p] of settings.patterns.entries()) {
    try {
      rules.push({ name: p.name, pattern: new Re2(p.regex, p.flags) });
    } catch (error) {
      return `redaction.patterns[${i}] ("${p.name}"): ${(error as Error).message}`;
    }
  }
  // A configured pattern has no known trigger fragment: check every string then.
  const triggers = settings.patterns.length > 0
    ? []
    : [...BUILTIN_TRIGGERS, ...settings.fields.map((f) => escapeRegExp(f.toLowerCase()))];
  return new Redactor({
    rules,
    fields: [...BUILTIN_FIELDS, ...settings.fields],
    maxStringChars,
    triggers,
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
