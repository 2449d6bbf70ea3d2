/**
 * The built-in functions km supplies to compiled policies: those OPA's WebAssembly target does
 * not implement natively (see `policies/capabilities.json`). A policy that calls one of them
 * imports it by name; the host dispatches the call here with the arguments as JSON values.
 */
import { regexReplace } from "./regex_replace.ts";
import { sha256Hex } from "../../sha256.ts";
import { hostPathKind, realpathMissing } from "./fs_realpath.ts";
import { pathInfo } from "./fs_lstat.ts";

/** What a built-in may ask of the evaluation it runs in. */
export interface EvalContext {
  /** The time of this evaluation in nanoseconds since the epoch; the same for every call. */
  nowNs(): bigint;
}

/**
 * A built-in: JSON arguments in, a JSON value (or a bigint, for integers beyond 2^53) out.
 * Returning undefined makes the call undefined in Rego; throwing fails the evaluation.
 */
export type BuiltinFunction = (args: unknown[], context: EvalContext) => unknown;

/** An OPA type (the `decl` schema of a capabilities file). */
export type OpaType = Readonly<Record<string, unknown>>;

/** A built-in with the declaration `opa build` needs to accept calls to it. */
export interface BuiltinDefinition {
  fn: BuiltinFunction;
  decl: { type: "function"; args: OpaType[]; result: OpaType };
  /** Marks a result that varies between evaluations (OPA then never caches it). */
  nondeterministic?: boolean;
}

const string = { type: "string" } as const;
const number = { type: "number" } as const;
const anyObject = {
  type: "object",
  dynamic: { key: { type: "string" }, value: { type: "any" } },
} as const;

/**
 * km's built-ins. Their declarations repeat OPA's own, so that policies written against OPA
 * behave the same; `scripts/gen_capabilities.ts` checks that they still agree. `km.*` are km's
 * own (docs/policy.md, "Built-ins km adds"); `opa test` knows them from tools/opa-wasm.
 */
export const KM_BUILTINS: Readonly<Record<string, BuiltinDefinition>> = {
  "time.now_ns": {
    fn: (_, context) => context.nowNs(),
    decl: { type: "function", args: [], result: number },
    nondeterministic: true,
  },
  "regex.replace": {
    fn: (args) => regexReplace(str(args, 0), str(args, 1), str(args, 2)),
    decl: { type: "function", args: [string, string, string], result: string },
  },
  "crypto.sha256": {
    fn: (args) => sha256Hex(new TextEncoder().encode(str(args, 0))),
    decl: { type: "function", args: [string], result: string },
  },
  // Where a path leads on this machine, through symbolic links (fs_realpath.ts).
  "km.fs.realpath": {
    fn: (args) => realpathMissing(str(args, 0), hostPathKind),
    decl: { type: "function", args: [string], result: string },
    nondeterministic: true,
  },
  // What is at a path on this machine, its hard links counted (fs_lstat.ts).
  "km.fs.lstat": {
    fn: (args) => pathInfo(str(args, 0)),
    decl: { type: "function", args: [string], result: anyObject },
    nondeterministic: true,
  },
};

/** The wall clock in nanoseconds since the epoch, with sub-millisecond resolution. */
export function systemNowNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e3)) * 1000n;
}

/**
 * The string operand at `index`. The compiler type-checks literal calls, but values from
 * `input` and `data` are only known at run time.
 */
function str(args: unknown[], index: number): string {
  const value = args[index];
  if (typeof value !== "string") {
    // Name the type only: the value comes from the message and may be a secret.
    const type = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
    throw new TypeError(`operand ${index + 1} must be a string, got ${type}`);
  }
  return value;
}
