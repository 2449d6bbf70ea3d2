/**
 * Redaction of secrets before anything is written to the audit log. Pure: rules in, copies out.
 *
 * Two mechanisms: patterns that find credentials inside any string (keys of major providers,
 * bearer tokens, private key blocks...), and field names whose whole value is a secret
 * (`password`, `apiKey`, `authorization`...), in parsed JSON and in JSON written inside text.
 * Object keys are strings too: a key that is itself a token is redacted like any string. Long
 * strings are truncated in the same walk. Configured patterns are RE2 and run on the
 * linear-time engine (src/re2.ts), like the two built-in rules that would backtrack badly on
 * JavaScript's (see redaction_rules.ts).
 *
 * A peer chooses how deep its JSON nests, so no walk here recurses: each keeps its own stack
 * of pending containers, and a million nested arrays cost a million small stack entries, never
 * the call stack. What is deeper than `maxDepth` is not recorded (see `json`), so that every
 * record stays readable by ordinary JSON readers and `JSON.stringify` never meets it.
 */
import { Re2 } from "../re2.ts";
import { FIELD_LABEL, redactFieldsInText } from "./fields_in_text.ts";
import { nestedDeeperThan } from "../jsonrpc/json_depth.ts";
import {
  BUILTIN_FIELD_ENDINGS,
  BUILTIN_FIELDS,
  BUILTIN_RULES,
  BUILTIN_TRIGGERS,
  NOT_SECRET_FIELDS,
  type RedactionRule,
} from "./redaction_rules.ts";
import { normaliseFieldName, SecretFields } from "./secret_fields.ts";

export interface RedactorOptions {
  readonly rules: readonly RedactionRule[];
  /**
   * Field names whose values are secrets (compared without letter case, `-` or `_`). With
   * `fieldEndings`, names ending so are secret too.
   */
  readonly fields: readonly string[];
  readonly fieldEndings?: readonly string[];
  /** Names with a secret ending that are not secrets. */
  readonly notSecretFields?: readonly string[];
  /** Strings longer than this are cut, with a note of how much was dropped. */
  readonly maxStringChars: number;
  /** Deepest nesting recorded (default MAX_RECORDED_DEPTH). */
  readonly maxDepth?: number;
}

/** What a redaction pass changed. */
export interface RedactionResult<T> {
  readonly value: T;
  readonly redactions: number;
  readonly truncated: number;
  /** Why part of the value was left out of the record (set only when some was). */
  readonly unrecorded?: string;
}

/**
 * The deepest nesting of a message recorded whole. Real MCP messages nest a few dozen levels;
 * a record nests one more than its message, and stays within what common readers accept
 * (Python's json about 1,000 levels, jq and Go 10,000).
 */
export const MAX_RECORDED_DEPTH = 512;

/** Shortest string that any rule could match; shorter strings are skipped. */
const MIN_SECRET_CHARS = 8;

/** Keys whose verdicts are remembered at most, and the longest remembered. */
const MAX_CACHED_KEYS = 10_000;
const MAX_CACHED_KEY_CHARS = 256;

export class Redactor {
  readonly #rules: readonly RedactionRule[];
  readonly #fields: SecretFields;
  readonly #anyFields: boolean;
  readonly #maxChars: number;
  readonly #maxDepth: number;
  /** Undefined when a configured pattern has no known trigger: then every string is checked. */
  readonly #trigger: RegExp | undefined;
  /** Keys seen before, and whether redacting them would change them. */
  readonly #keyChanges = new Map<string, boolean>();

  constructor(options: RedactorOptions & { readonly triggers?: readonly string[] }) {
    this.#rules = options.rules;
    this.#fields = new SecretFields({
      exact: options.fields,
      endings: options.fieldEndings ?? [],
      exceptions: options.notSecretFields ?? [],
    });
    this.#anyFields = options.fields.length > 0 || (options.fieldEndings?.length ?? 0) > 0;
    this.#maxChars = options.maxStringChars;
    this.#maxDepth = options.maxDepth ?? MAX_RECORDED_DEPTH;
    const triggers = options.triggers ?? BUILTIN_TRIGGERS;
    if (options.rules.length === 0 && !this.#anyFields) this.#trigger = /(?!)/;
    else if (triggers.length > 0) this.#trigger = new RegExp(triggers.join("|"));
  }

  get maxStringChars(): number {
    return this.#maxChars;
  }

  /** Redacts and truncates one string (secret `"name": value` pairs written in it included). */
  text(input: string): RedactionResult<string> {
    const counter = { redactions: 0, truncated: 0 };
    return { value: this.#string(input, counter), ...counter };
  }

  /**
   * Returns a redacted copy of a JSON value (the input is not modified). Containers nested
   * deeper than `maxDepth` are replaced by a note, counted in `unrecorded`.
   */
  value<T>(input: T): RedactionResult<T> {
    const counter = { redactions: 0, truncated: 0, cut: 0 };
    const value = this.#walk(input, counter) as T;
    const { redactions, truncated } = counter;
    return counter.cut > 0
      ? { value, redactions, truncated, unrecorded: this.#unrecordedReason() }
      : { value, redactions, truncated };
  }

  /**
   * The JSON text to log for `value`, which was parsed from `text`: `text` itself when there
   * is nothing to redact or shorten (the common case, with no copy and no re-serialising),
   * otherwise a redacted copy serialised again. A value nested deeper than `maxDepth` is
   * recorded down to that depth, each deeper container replaced by the string
   * `[UNRECORDED:nested deeper than N levels]`, and `unrecorded` says so.
   */
  json(text: string, value: unknown): RedactionResult<string> {
    if (nestedDeeperThan(text, this.#maxDepth)) {
      const redacted = this.value(value);
      return { ...redacted, value: JSON.stringify(redacted.value) };
    }
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

  #unrecordedReason(): string {
    return `nested deeper than ${this.#maxDepth} levels`;
  }

  #mayMatch(text: string): boolean {
    return this.#trigger === undefined || this.#trigger.test(text.toLowerCase());
  }

  /** Whether redacting `input` would change anything. Iterative: any depth. */
  #needsWork(input: unknown): boolean {
    const pending: unknown[] = [input];
    while (pending.length > 0) {
      const item = pending.pop();
      if (typeof item === "string") {
        if (this.#stringNeedsWork(item)) return true;
      } else if (Array.isArray(item)) {
        for (let i = item.length - 1; i >= 0; i--) pending.push(item[i]);
      } else if (item !== null && typeof item === "object") {
        for (const key of Object.keys(item)) {
          const child = (item as Record<string, unknown>)[key];
          if (this.#keyChanges.get(key) ?? this.#keyNeedsWork(key)) return true;
          if (child !== null && this.#anyFields && this.#fields.has(key)) return true;
          pending.push(child);
        }
      }
    }
    return false;
  }

  #stringNeedsWork(input: string): boolean {
    if (input.length > this.#maxChars) return true;
    if (input.length < MIN_SECRET_CHARS || !this.#mayMatch(input)) return false;
    return this.#rules.some((rule) => matches(rule, input)) ||
      (this.#anyFields && input.includes('"') &&
        redactFieldsInText(input, (name) => this.#fields.has(name)).count > 0);
  }

  /** Whether a key would be redacted or cut; remembered, since objects repeat their keys. */
  #keyNeedsWork(key: string): boolean {
    const changes = key.length > this.#maxChars ||
      (key.length >= MIN_SECRET_CHARS && this.#mayMatch(key) &&
        this.#rules.some((rule) => matches(rule, key)));
    if (key.length <= MAX_CACHED_KEY_CHARS && this.#keyChanges.size < MAX_CACHED_KEYS) {
      this.#keyChanges.set(key, changes);
    }
    return changes;
  }

  /**
   * The redacted copy of `input`. Iterative: each container is copied empty into place, its
   * members filled in order (so object members keep their order), and nested containers are
   * queued with the copy they fill.
   */
  #walk(input: unknown, counter: Counter): unknown {
    if (typeof input === "string") return this.#string(input, counter);
    if (input === null || typeof input !== "object") return input;
    const root: unknown[] | Record<string, unknown> = Array.isArray(input) ? [] : {};
    // Triples: a container, its copy, its depth (the root is at depth 1).
    const pending: unknown[] = [input, root, 1];
    while (pending.length > 0) {
      const depth = pending.pop() as number;
      const copy = pending.pop();
      const source = pending.pop();
      const child = (value: unknown): unknown => {
        if (typeof value === "string") return this.#string(value, counter);
        if (value === null || typeof value !== "object") return value;
        if (depth >= this.#maxDepth) {
          counter.cut = (counter.cut ?? 0) + 1;
          return `[UNRECORDED:${this.#unrecordedReason()}]`;
        }
        const inner = Array.isArray(value) ? [] : {};
        pending.push(value, inner, depth + 1);
        return inner;
      };
      if (Array.isArray(source)) {
        const out = copy as unknown[];
        for (const value of source) out.push(child(value));
      } else {
        const out = copy as Record<string, unknown>;
        const members = source as Record<string, unknown>;
        for (const key of Object.keys(members)) {
          const value = members[key];
          const name = this.#key(key, out, counter);
          if (value !== null && this.#anyFields && this.#fields.has(key)) {
            counter.redactions++;
            setMember(out, name, FIELD_LABEL);
          } else setMember(out, name, child(value));
        }
      }
    }
    return root;
  }

  /** A key as recorded: redacted like a string, and kept apart from a key already there. */
  #key(key: string, out: Record<string, unknown>, counter: Counter): string {
    if (!(this.#keyChanges.get(key) ?? this.#keyNeedsWork(key))) return key;
    const redacted = this.#string(key, counter);
    let name = redacted;
    for (let n = 2; Object.hasOwn(out, name); n++) name = `${redacted}#${n}`;
    return name;
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
      // Fields first: a value they replace whole is not also counted by a pattern.
      if (this.#anyFields && text.includes('"')) {
        const fields = redactFieldsInText(text, (name) => this.#fields.has(name));
        text = fields.text;
        counter.redactions += fields.count;
      }
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

/** Sets a member, `__proto__` included (an assignment would change the copy's prototype). */
function setMember(out: Record<string, unknown>, name: string, value: unknown): void {
  if (name === "__proto__") {
    Object.defineProperty(out, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else out[name] = value;
}

interface Counter {
  redactions: number;
  truncated: number;
  /** Containers left out for being nested too deep. */
  cut?: number;
}

function matches(rule: RedactionRule, text: string): boolean {
  if (rule.pattern instanceof Re2) return rule.pattern.test(text);
  rule.pattern.lastIndex = 0;
  return rule.pattern.test(text);
}

/** `text` with each match of the rule replaced by its label, keeping groups `keep`/`after`. */
function redactMatches(rule: RedactionRule, text: string, counter: Counter): string {
  const label = `[REDACTED:${rule.name}]`;
  /** The match's replacement: its secret part labelled, unless an earlier rule did that. */
  const replace = (whole: string, keep = "", after = "") => {
    const secret = whole.slice(keep.length);
    if (secret.startsWith(REDACTED_PREFIX) || secret.slice(1).startsWith(REDACTED_PREFIX)) {
      return whole; // labelled already (perhaps inside its quotes)
    }
    counter.redactions++;
    return `${keep}${label}${after}`;
  };
  if (rule.pattern instanceof Re2) {
    return rule.pattern.replaceAll(text, (match) =>
      replace(
        text.slice(match.start, match.end),
        match.group("keep") ?? "",
        match.group("after") ?? "",
      ));
  }
  return text.replace(rule.pattern, (...args) => {
    const groups = args[args.length - 1] as { keep?: string; after?: string } | undefined;
    return replace(args[0] as string, groups?.keep, groups?.after);
  });
}

/** How every label starts: a value already labelled is not labelled again by a later rule. */
const REDACTED_PREFIX = "[REDACTED:";

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
    : [...BUILTIN_TRIGGERS, ...settings.fields.map(fieldTrigger)];
  return new Redactor({
    rules,
    fields: [...BUILTIN_FIELDS, ...settings.fields],
    fieldEndings: BUILTIN_FIELD_ENDINGS,
    notSecretFields: NOT_SECRET_FIELDS,
    maxStringChars,
    triggers,
  });
}

/** A trigger for a configured field name, in any of the spellings that compare equal to it. */
function fieldTrigger(name: string): string {
  return [...normaliseFieldName(name)].map(escapeRegExp).join("[-_]?");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
