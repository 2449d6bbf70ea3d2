/**
 * Ages and points in time as a person types them for the log commands and `logRetention`:
 * "30s", "15m", "1h", "7d", "2w", or an ISO date ("2026-11-22", "2026-11-22T20:14:00Z"). One
 * parser, so `km logs --since`, `km clear-logs --older-than` and the config key agree. Pure.
 */

const UNITS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** Spelled-out units a person may type, mapped to the letter km expects. */
const WORDS: Readonly<Record<string, string>> = {
  sec: "s",
  secs: "s",
  second: "s",
  seconds: "s",
  min: "m",
  mins: "m",
  minute: "m",
  minutes: "m",
  hr: "h",
  hrs: "h",
  hour: "h",
  hours: "h",
  day: "d",
  days: "d",
  week: "w",
  weeks: "w",
};

export const AGE_EXPECTED = 'an age: a whole number and s, m, h, d or w (e.g. "30s", "15m", ' +
  '"1h", "7d")';

/** "7d" → 604800000 ms; undefined when the text is not an age of at least one unit. */
export function parseAge(text: string): number | undefined {
  const match = /^(\d+)([smhdw])$/.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * UNITS[match[2]];
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

/** What is wrong with an age, for an error message; undefined when it is one. */
export function ageProblem(text: string): string | undefined {
  if (parseAge(text) !== undefined) return undefined;
  const spelled = /^\s*(\d+)\s*([a-z]+)\s*$/i.exec(text);
  const letter = spelled
    ? (WORDS[spelled[2].toLowerCase()] ?? (UNITS[spelled[2].toLowerCase()] ? spelled[2] : ""))
    : "";
  const hint = spelled && letter && Number(spelled[1]) > 0
    ? ` (did you mean "${spelled[1]}${letter.toLowerCase()}"?)`
    : "";
  return `expected ${AGE_EXPECTED}, got ${JSON.stringify(text)}${hint}`;
}

const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * The point in time `text` names, in epoch ms: an age back from `nowMs`, or an ISO date (a
 * date alone is midnight UTC; a time without a zone is local time, as JavaScript reads it).
 * Undefined when it is neither.
 */
export function parseSince(text: string, nowMs: number): number | undefined {
  const age = parseAge(text);
  if (age !== undefined) return nowMs - age;
  if (!ISO_DATE.test(text)) return undefined;
  const at = Date.parse(text.replace(" ", "T"));
  return Number.isNaN(at) ? undefined : at;
}

export const SINCE_EXPECTED = `${AGE_EXPECTED} or an ISO date (e.g. "2026-11-22" or ` +
  '"2026-11-22T20:14:00Z")';
