/**
 * The decision document produced by the framework (framework.ts), checked and typed. Anything
 * else (no result, several, a wrong shape, an unknown action) is a malformed decision, which
 * the caller turns into a deny for requests: km fails closed.
 */
import { isJsonObject as isObject } from "../json_object.ts";
import type { ResultSet } from "./wasm/wasm_host.ts";
import type { Redaction } from "./transform.ts";

export type Action = "allow" | "deny" | "ask" | "transform";

/** Why a rule denied or asked: its id (may be empty) and its text. */
export interface Reason {
  readonly rule: string;
  readonly reason: string;
}

export interface Decision {
  readonly action: Action;
  readonly deny: readonly Reason[];
  readonly ask: readonly Reason[];
  readonly patch: readonly unknown[];
  readonly redact: readonly Redaction[];
  readonly hide: readonly string[];
  readonly risk: number;
  readonly labels: readonly string[];
  /** For `ask`: seconds to wait for a person, when the policy set it. */
  readonly approvalTimeoutS?: number;
  /** Integrity codes (integrity.ts) under which the message may pass all the same. */
  readonly tolerate?: readonly string[];
  /** For `ask`: ask even when a person already approved the call this message belongs to. */
  readonly askAgain?: true;
}

/** A result set that is not one well-formed decision. */
export class MalformedDecision extends Error {
  override readonly name = "MalformedDecision";
}

const ACTIONS: readonly Action[] = ["allow", "deny", "ask", "transform"];

/** Checks the result set of `kilometers/decision`. Throws MalformedDecision. */
export function readDecision(resultSet: ResultSet): Decision {
  if (resultSet.length === 0) throw new MalformedDecision("the policy's decision is undefined");
  if (resultSet.length > 1) {
    throw new MalformedDecision(`the policy gave ${resultSet.length} decisions, expected one`);
  }
  const value = resultSet[0].result;
  if (!isObject(value)) throw new MalformedDecision("the decision is not an object");
  const action = value.action;
  if (!ACTIONS.includes(action as Action)) {
    throw new MalformedDecision(
      `unknown action ${JSON.stringify(action)}, expected ${ACTIONS.join(", ")}`,
    );
  }
  return {
    action: action as Action,
    deny: reasons(value.deny, "deny"),
    ask: reasons(value.ask, "ask"),
    patch: list(value.patch, "patch"),
    redact: list(value.redact, "redact").map(redaction),
    hide: strings(value.hide, "hide"),
    risk: typeof value.risk === "number" ? value.risk : fail("risk must be a number"),
    labels: list(value.labels, "labels").map(String),
    ...approvalTimeout(value.approval_timeout),
    // Absent from bundles built before km had it: nothing is tolerated.
    ...(value.tolerate === undefined ? {} : { tolerate: strings(value.tolerate, "tolerate") }),
    ...(value.ask_again === true ? { askAgain: true as const } : {}),
  };
}

/** The texts a denial or an approval request gives. */
export function reasonTexts(decision: Decision): string[] {
  const from = decision.action === "ask" ? decision.ask : decision.deny;
  return from.map((r) => r.reason);
}

/** Ids of the rules that fired, for the audit log. */
export function firedRules(decision: Decision): string[] {
  return [...decision.deny, ...decision.ask].map((r) => r.rule).filter(Boolean);
}

function reasons(value: unknown, name: string): Reason[] {
  return list(value, name).map((entry) => {
    if (!isObject(entry) || typeof entry.reason !== "string" || typeof entry.rule !== "string") {
      throw new MalformedDecision(`${name} entries must be strings or {"rule", "reason"} objects`);
    }
    return { rule: entry.rule, reason: entry.reason };
  });
}

/** Absent (a bundle built before km had approvals) or 0: km's default applies. */
function approvalTimeout(value: unknown): { approvalTimeoutS?: number } {
  if (value === undefined || value === 0) return {};
  if (typeof value !== "number" || !(value > 0)) {
    throw new MalformedDecision("approval_timeout must be a positive number of seconds");
  }
  return { approvalTimeoutS: value };
}

function redaction(entry: unknown): Redaction {
  if (!isObject(entry) || typeof entry.path !== "string") {
    throw new MalformedDecision('redact entries must be {"path": ..., "pattern": ...} objects');
  }
  if (entry.pattern !== undefined && typeof entry.pattern !== "string") {
    throw new MalformedDecision("a redact pattern must be a string");
  }
  return entry.pattern === undefined
    ? { path: entry.path }
    : { path: entry.path, pattern: entry.pattern };
}

function strings(value: unknown, name: string): string[] {
  return list(value, name).map((entry) => {
    if (typeof entry !== "string") throw new MalformedDecision(`${name} entries must be strings`);
    return entry;
  });
}

function list(value: unknown, name: string): unknown[] {
  if (!Array.isArray(value)) throw new MalformedDecision(`${name} must be a list`);
  return value;
}

function fail(message: string): never {
  throw new MalformedDecision(message);
}
