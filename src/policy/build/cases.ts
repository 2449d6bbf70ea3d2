/**
 * Decision cases: data files (`cases.json`, JSON or JSONC) holding `{"note", "input", "want"}`
 * entries that `km policy test` runs on OPA's interpreter and on the WASM build of a policy, so
 * that the two are seen to agree. `want` is a partial decision: every key it has must equal
 * that key of the decision (docs/policy.md, "km policy"). Pure: the caller reads the files.
 */
import { isJsonObject as isObject } from "../../json_object.ts";
import { parseJsoncAs } from "../../jsonc.ts";
import { KmError } from "../../errors.ts";
import { suggest } from "../../suggest.ts";
import type { Action, Decision } from "../decision.ts";

/** One case: a policy input and the part of the decision it must produce. */
export interface DecisionCase {
  readonly note: string;
  readonly input: unknown;
  readonly want: Readonly<Partial<Record<DecisionKey, unknown>>>;
}

/** The keys of the framework's decision document (framework.ts). */
export const DECISION_KEYS = [
  "action",
  "deny",
  "ask",
  "patch",
  "redact",
  "hide",
  "risk",
  "labels",
  "approval_timeout",
] as const;
export type DecisionKey = typeof DECISION_KEYS[number];

/** A key of `want` that the decision does not match. */
export interface Mismatch {
  readonly key: DecisionKey;
  readonly want: unknown;
  readonly got: unknown;
}

const ACTIONS: readonly Action[] = ["allow", "deny", "ask", "transform"];
const CASE_MEMBERS = ["note", "input", "want"];

/** Whether a file name (without folders) names a decision-case file: `cases.json`, `x_cases.jsonc`. */
export function isCaseFile(name: string): boolean {
  return /(^|_)cases\.jsonc?$/.test(name);
}

/**
 * The cases in `text`, the content of the case file `path`. Throws KmError POLICY_INVALID
 * naming the file and the entry's index when the file is not a list of well-formed cases.
 */
export function parseCases(text: string, path: string): DecisionCase[] {
  const value = parseJsoncAs(text, `decision cases "${path}"`, "POLICY_INVALID");
  if (!Array.isArray(value)) {
    throw new KmError(
      "POLICY_INVALID",
      `Decision cases "${path}": expected a list of {"note", "input", "want"} objects, got ${
        kindOf(value)
      }`,
    );
  }
  return value.map((entry, index) => {
    const problem = caseProblem(entry);
    if (problem === undefined) return entry as DecisionCase;
    const note = isObject(entry) && typeof entry.note === "string" ? ` ("${entry.note}")` : "";
    throw new KmError(
      "POLICY_INVALID",
      `Decision cases "${path}", entry [${index}]${note}: ${problem}`,
      'each entry is {"note": "what it checks", "input": {...}, "want": {"action": "deny", ...}}',
    );
  });
}

/** What is wrong with one entry of a case file, or undefined. */
function caseProblem(entry: unknown): string | undefined {
  if (!isObject(entry)) return `expected an object, got ${kindOf(entry)}`;
  for (const member of Object.keys(entry)) {
    if (!CASE_MEMBERS.includes(member)) return unknownKey(member, CASE_MEMBERS, "member");
  }
  if (typeof entry.note !== "string" || entry.note === "") return '"note" must be a text';
  if (!("input" in entry)) return 'it has no "input"';
  if (!isObject(entry.want)) return `"want" must be an object, got ${kindOf(entry.want)}`;
  for (const [key, value] of Object.entries(entry.want)) {
    if (!(DECISION_KEYS as readonly string[]).includes(key)) {
      return `want: ${unknownKey(key, DECISION_KEYS, "decision key")}`;
    }
    const problem = wantProblem(key as DecisionKey, value);
    if (problem) return `want.${key} ${problem}`;
  }
  return undefined;
}

function wantProblem(key: DecisionKey, value: unknown): string | undefined {
  if (key === "action") {
    return ACTIONS.includes(value as Action) ? undefined : `must be one of ${ACTIONS.join(", ")}`;
  }
  if (key === "risk" || key === "approval_timeout") {
    return typeof value === "number" ? undefined : "must be a number";
  }
  if (!Array.isArray(value)) return `must be a list, got ${kindOf(value)}`;
  if (key === "deny" || key === "ask") {
    const reason = (r: unknown) =>
      isObject(r) && typeof r.rule === "string" && typeof r.reason === "string";
    // The decision always has the object form; a bare string could never match.
    if (!value.every(reason)) return 'entries must be {"rule": id, "reason": text} ("" for none)';
  }
  if ((key === "hide" || key === "labels") && !value.every((v) => typeof v === "string")) {
    return "entries must be texts";
  }
  return undefined;
}

/**
 * The keys of `want` whose values differ from `got`'s. Lists that come from Rego sets (all but
 * `action` and `risk`) are compared without regard to order: their order is OPA's, not the
 * author's.
 */
export function matchDecision(want: DecisionCase["want"], got: Decision): Mismatch[] {
  const out: Mismatch[] = [];
  for (const key of DECISION_KEYS) {
    if (!(key in want)) continue;
    const unordered = key !== "action" && key !== "risk" && key !== "approval_timeout";
    const value = key === "approval_timeout" ? got.approvalTimeoutS ?? 0 : got[key];
    if (canonical(want[key], unordered) !== canonical(value, unordered)) {
      out.push({ key, want: want[key], got: value });
    }
  }
  return out;
}

/** One line per mismatch: `action: want "allow", got "deny"`. */
export function describeMismatches(mismatches: readonly Mismatch[]): string[] {
  return mismatches.map((m) =>
    `${m.key}: want ${JSON.stringify(m.want)}, got ${JSON.stringify(m.got)}`
  );
}

/** What one engine made of a case's input: its decision, or why there is none. */
export type Outcome = { readonly decision: Decision } | { readonly error: string };

/**
 * The verdict on a case run by several engines (by name): ok when each one's decision matches.
 * `details` explains a failure, once when every engine failed alike, else per engine.
 */
export function judgeCase(
  want: DecisionCase["want"],
  outcomes: Readonly<Record<string, Outcome>>,
): { ok: boolean; details: string[] } {
  const problems = Object.entries(outcomes).map(([engine, outcome]) => ({
    engine,
    lines: "error" in outcome
      ? [`evaluation failed: ${outcome.error}`]
      : describeMismatches(matchDecision(want, outcome.decision)),
  }));
  const failed = problems.filter((p) => p.lines.length > 0);
  if (failed.length === 0) return { ok: true, details: [] };
  const same = failed.length === problems.length &&
    failed.every((p) => p.lines.join("\n") === failed[0].lines.join("\n"));
  if (same) return { ok: false, details: failed[0].lines };
  return {
    ok: false,
    details: failed.flatMap((p) => p.lines.map((line) => `${p.engine}: ${line}`)),
  };
}

/** JSON text with sorted object keys, so that equal values give equal texts. */
function canonical(value: unknown, unordered = false): string {
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v));
    return `[${(unordered ? items.sort() : items).join(",")}]`;
  }
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

function unknownKey(key: string, known: readonly string[], what: string): string {
  const hint = suggest(key, known);
  return `unknown ${what} "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}; expected ${
    known.join(", ")
  }`;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
