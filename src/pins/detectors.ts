/**
 * Built-in detectors of what a tool description or a tool result says to the model rather than
 * to the user: hidden characters, terminal escapes, instructions addressed to the model,
 * mentions of other tools, of secrets and of where to send them. They only label; what a label
 * means is the policy's to decide. Each text is read once: one loop over its characters for
 * the character classes and one scan of a single regular expression for the phrases, over at
 * most a bounded number of characters. The patterns are documented in docs/security.md
 * ("Tool definitions and results"). Pure.
 */

/** Every label a detector gives, in the order docs/security.md lists them. */
export const LABELS = [
  "unicode_tag",
  "invisible_unicode",
  "bidi_control",
  "ansi_escape",
  "control_char",
  "model_instruction",
  "secret_reference",
  "url",
  "exfiltration",
  "tool_reference",
] as const;

export type Label = typeof LABELS[number];

/**
 * Phrases, one named group per label, matched case-insensitively in a single pass. Written
 * without nested quantifiers, so the scan stays linear in the text.
 */
const PHRASES = new RegExp(
  [
    // Instructions addressed to the model.
    `(?<model_instruction>` + [
      String
        .raw`\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+)?(?:previous|prior|above|earlier|preceding|other|original)\s+(?:instructions?|prompts?|directions?|rules|guidelines|messages?)`,
      String
        .raw`<\s*/?\s*(?:important|system|instructions?|secret|hidden|admin|assistant|system[_-]?prompt)\s*>`,
      String
        .raw`\b(?:do\s+not|don't|dont|never)\s+(?:tell|inform|mention|reveal|show|notify|alert|disclose|let)\s+(?:this\s+|it\s+|anything\s+)?(?:to\s+)?(?:the\s+)?(?:user|human|operator)`,
      String
        .raw`\b(?:without|before)\s+(?:telling|informing|notifying|alerting|asking)\s+(?:the\s+)?(?:user|human)`,
      String
        .raw`\bthe\s+(?:user|human)\s+(?:must|should|will)\s+(?:not|never)\s+(?:know|see|notice|be\s+told)`,
      String
        .raw`\b(?:you|the\s+(?:assistant|model|ai|llm))\s+(?:must|should|have\s+to|need\s+to)\s+(?:always\s+|first\s+|also\s+)?(?:read|send|include|pass|call|forward|upload|exfiltrate)\b`,
      String.raw`\b(?:new|updated|system|secret)\s+instructions?\s*:`,
      String.raw`\bsystem\s+prompt\b`,
    ].join("|") + `)`,
    // Secrets and the files that hold them.
    `(?<secret_reference>` + [
      String.raw`~/\.ssh|\.ssh/|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|\bauthorized_keys\b`,
      String.raw`(?<![\w.$])\.env(?:\.[a-z]+)?\b`,
      String
        .raw`\.aws/credentials|\.aws/config|\.npmrc\b|\.netrc\b|\.pypirc\b|\.git-credentials\b|\.docker/config\.json|\.kube/config`,
      String.raw`/etc/(?:passwd|shadow|sudoers)\b|\.(?:bash|zsh)_history\b|\bwallet\.dat\b`,
      String.raw`\bmcp\.json\b|\bclaude_desktop_config\.json\b`,
      String
        .raw`\b(?:private|secret|api)[ _-]?keys?\b|\baccess[ _-]?tokens?\b|\bpasswords?\b|\bpassphrases?\b|\bcredentials\b|\bseed\s+phrase\b`,
    ].join("|") + `)`,
    // Where to send things: markdown images and templated URLs fetch as they render.
    `(?<exfiltration>` + [
      String.raw`!\[[^\]\n]{0,200}\]\(\s*https?://`,
      String.raw`https?://[^\s"'<>]{0,200}[?&][\w.-]{1,40}=(?:\{|\$\{|<|%7B)`,
      String
        .raw`\b(?:curl|wget)\s+(?:-\S+\s+){0,4}(?:-d|--data|-F|--upload-file|-T|--post-data|--post-file)\b`,
      String
        .raw`\b(?:send|post|upload|forward|transmit|exfiltrate|leak|email)\s+(?:it|them|this|that|the\s+\w+|all\s+\w+|its\s+\w+|their\s+\w+)\s+(?:contents?\s+)?to\s+(?:https?://|[\w.+-]+@[\w-]+\.[\w.]+|the\s+(?:following\s+)?(?:url|endpoint|webhook|server|address))`,
      String
        .raw`\bwebhook\.site\b|\brequestbin\b|\bpipedream\.net\b|\bngrok(?:-free)?\.(?:io|app)\b|\bburpcollaborator\b|\binteract\.sh\b|\boast\.(?:fun|pro|live|site|online|me)\b`,
    ].join("|") + `)`,
    String.raw`(?<url>\bhttps?://[^\s"'<>)\]]|\bdata:[a-z]+/[\w.+-]+;base64,)`,
  ].join("|"),
  "gi",
);

const PHRASE_LABELS: readonly Label[] = [
  "model_instruction",
  "secret_reference",
  "exfiltration",
  "url",
];

/** Characters read per text, at most; the rest is not looked at (`truncated`). */
export const MAX_SCAN_CHARS = 1 << 20;

/** The labels of one text, added to `into`. Returns the characters read. */
export function scanText(text: string, into: Set<Label>, budget = MAX_SCAN_CHARS): number {
  const end = Math.min(text.length, budget);
  scanCharacters(text, end, into);
  scanPhrases(end < text.length ? text.slice(0, end) : text, into);
  return end;
}

/** Zero-width, filler and variation-selector characters that draw nothing. */
function invisible(c: number): boolean {
  return c === 0x00ad || c === 0x034f || c === 0x115f || c === 0x1160 || c === 0x17b4 ||
    c === 0x17b5 || c === 0x180e || c === 0x200b || c === 0x200c ||
    (c >= 0x2060 && c <= 0x2064) || c === 0x3164 || c === 0xfeff || c === 0xffa0;
}

function bidi(c: number): boolean {
  return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0x200e ||
    c === 0x200f || c === 0x061c;
}

/** One loop over the characters: hidden Unicode, terminal escapes, control characters. */
function scanCharacters(text: string, end: number, into: Set<Label>) {
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20) {
      if (c === 0x1b) into.add("ansi_escape");
      else if (c !== 0x09 && c !== 0x0a && c !== 0x0d) into.add("control_char");
    } else if (c < 0x7f) {
      continue;
    } else if (c <= 0x9f) {
      into.add(c === 0x9b ? "ansi_escape" : "control_char");
    } else if (c === 0xdb40) {
      // U+E0000–U+E007F (tags: invisible ASCII) and U+E0100–U+E01EF (variation selectors).
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdc7f) into.add("unicode_tag");
      else if (low >= 0xdd00 && low <= 0xddef) into.add("invisible_unicode");
    } else if (c === 0x200d) {
      // A zero-width joiner between emoji (astral, so surrogates) draws one emoji: not hidden.
      const before = text.charCodeAt(i - 1);
      if (!(before >= 0xdc00 && before <= 0xdfff) && !(before >= 0x2600 && before <= 0x27bf)) {
        into.add("invisible_unicode");
      }
    } else if (invisible(c)) {
      into.add("invisible_unicode");
    } else if (bidi(c)) {
      into.add("bidi_control");
    }
  }
}

function scanPhrases(text: string, into: Set<Label>) {
  PHRASES.lastIndex = 0;
  let found = 0;
  for (let m = PHRASES.exec(text); m !== null; m = PHRASES.exec(text)) {
    const groups = m.groups!;
    for (const label of PHRASE_LABELS) {
      if (groups[label] !== undefined && !into.has(label)) {
        into.add(label);
        found++;
      }
    }
    if (found === PHRASE_LABELS.length) break; // nothing left to find
    if (m[0].length === 0) PHRASES.lastIndex++;
  }
  PHRASES.lastIndex = 0;
}

/**
 * Tool names that look like identifiers rather than words (`read_file`, `getWeather`,
 * `web-search`): a mention of `echo` or `add` in prose is no reference to a tool.
 */
export function identifierLike(name: string): boolean {
  return name.length >= 4 && (/[_\-./0-9]/.test(name) || /[a-z][A-Z]/.test(name));
}

/**
 * `tool_reference` when `text` names one of `names` (whole word, any case). `names` are
 * expected lowercase and identifier-like.
 */
export function mentionsTool(text: string, names: readonly string[]): boolean {
  if (names.length === 0) return false;
  const lower = text.toLowerCase();
  for (const name of names) {
    let at = lower.indexOf(name);
    while (at >= 0) {
      const before = at === 0 ? "" : lower[at - 1];
      const after = lower[at + name.length] ?? "";
      if (!/[\w-]/.test(before) && !/[\w-]/.test(after)) return true;
      at = lower.indexOf(name, at + 1);
    }
  }
  return false;
}

const SCHEMA_KEYWORDS = new Set(["$schema", "$id", "$ref"]);
const PLAIN_URL = /^(?:https?:\/\/|#)[^\s]{0,200}$/;

/** What a scan of a whole JSON value found. */
export interface ValueScan {
  readonly labels: Label[];
  /** Some of the value was not read: it holds more than the budget of characters. */
  readonly truncated: boolean;
}

/**
 * The labels of every string in `value` (object keys included), in one walk, reading at most
 * `budget` characters in all. With `toolNames`, a mention of one gives `tool_reference`.
 */
export function scanValue(
  value: unknown,
  options: { budget?: number; toolNames?: readonly string[] } = {},
): ValueScan {
  const found = new Set<Label>();
  let left = options.budget ?? MAX_SCAN_CHARS;
  let truncated = false;
  const names = options.toolNames ?? [];
  const text = (s: string) => {
    if (left <= 0) {
      if (s.length > 0) truncated = true;
      return;
    }
    const read = scanText(s, found, left);
    if (read < s.length) truncated = true;
    if (names.length > 0 && !found.has("tool_reference") && mentionsTool(s, names)) {
      found.add("tool_reference");
    }
    left -= read;
  };
  // An explicit stack: a deeply nested value cannot overflow the call stack.
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") text(v);
    else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (typeof v === "object" && v !== null) {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, member] = entries[i];
        // JSON Schema's own identifiers (`"$schema": "http://json-schema.org/…"`) are no text.
        if (!(SCHEMA_KEYWORDS.has(key) && typeof member === "string" && PLAIN_URL.test(member))) {
          stack.push(member);
        }
        stack.push(key);
      }
    }
    if (left <= 0 && stack.length > 0) {
      truncated = true;
      break;
    }
  }
  return { labels: LABELS.filter((l) => found.has(l)), truncated };
}
