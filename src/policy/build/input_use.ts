/**
 * What a compiled policy reads of its input, found in OPA's intermediate representation (the
 * `plan.json` of `opa build -t plan`, the same planner `-t wasm` compiles from). The enforcer
 * builds only the members a policy reads, and remembers the decisions of a policy whose answer
 * can only depend on members that repeat from message to message (see decision_cache.ts).
 *
 * Conservative by construction: any use of `input` other than reading a constant member (or
 * passing it on to a rule or function of the policy, which the walk follows) means the policy
 * may read all of it.
 */

/** What a policy reads of `input`. */
export interface InputUse {
  /** The top-level members it reads, sorted; undefined when it may read the whole input. */
  readonly members?: readonly string[];
}

/** Nothing is known: every member is built, and no decision is remembered. */
export const UNKNOWN_INPUT_USE: InputUse = {};

type Json = Record<string, unknown>;

interface Operand {
  readonly type: string;
  readonly value: unknown;
}

const isObject = (x: unknown): x is Json => typeof x === "object" && x !== null;

/**
 * Reads an IR plan. Throws on a document that is not one: the caller then knows nothing
 * (UNKNOWN_INPUT_USE).
 */
export function inputUseOf(plan: unknown): InputUse {
  const { strings, funcs, plans } = planParts(plan);
  const members = new Set<string>();
  let whole = false;
  const callable = new Set(funcs.map((f) => f.name));

  /** Walks a list of statements in which local `input` is the input document. */
  const walkBlocks = (blocks: unknown, input: number) => {
    if (!Array.isArray(blocks)) return;
    for (const block of blocks) {
      for (const statement of (isObject(block) && Array.isArray(block.stmts) ? block.stmts : [])) {
        walkStatement(statement, input);
      }
    }
  };

  const walkStatement = (statement: unknown, input: number) => {
    if (!isObject(statement) || !isObject(statement.stmt)) throw new Error("a malformed statement");
    const { type } = statement;
    const stmt = statement.stmt;
    if (type === "DotStmt" && isInput(stmt.source, input)) {
      const key = stmt.key as Operand | undefined;
      if (key?.type === "string_index" && typeof key.value === "number") {
        members.add(strings[key.value]);
      } else {
        whole = true; // input[k] with a key known only at run time
      }
      return;
    }
    if (type === "CallStmt" && callable.has(stmt.func as string)) {
      // Rules and functions take (input, data, ...args): input passed on in its place is
      // followed into the callee, which the walk covers on its own.
      const args = Array.isArray(stmt.args) ? stmt.args : [];
      if (args.some((arg, i) => i !== 0 && isInput(arg, input))) whole = true;
      return;
    }
    for (const [field, value] of Object.entries(stmt)) {
      if (field === "block" || field === "blocks") {
        walkBlocks(field === "block" ? [value] : value, input);
      } else if (!NOT_LOCALS.has(field) && !(NOT_LOCALS_OF[type as string] === field)) {
        // Anything else that names the input local (`with input as`, a scan over it, a copy
        // of it, a built-in called on it...) may read any of it.
        if (mentionsInput(value, input)) whole = true;
      }
    }
  };

  for (const p of plans) walkBlocks(p.blocks, 0);
  for (const f of funcs) {
    const params = f.params as unknown[];
    walkBlocks(f.blocks, typeof params[0] === "number" ? params[0] : -1);
  }
  return whole ? {} : { members: [...members].sort() };
}

/** Where every statement says where it comes from: numbers, but not locals. */
const NOT_LOCALS = new Set(["file", "col", "row", "end_col", "end_row"]);
/** The other numbers that are not locals, per statement type (OPA's v1/ir/ir.go). */
const NOT_LOCALS_OF: Record<string, string> = {
  AssignIntStmt: "value",
  BreakStmt: "index",
  MakeArrayStmt: "capacity",
  MakeNumberIntStmt: "value",
  MakeNumberRefStmt: "Index",
  WithStmt: "path",
};

function isInput(operand: unknown, input: number): boolean {
  return isObject(operand) && operand.type === "local" && operand.value === input;
}

/**
 * Whether a field names the input local: as an operand (`{type: "local", value}`), as a bare
 * local number (a scan's source, `with`'s target, a dynamic call's arguments), or in a list.
 */
function mentionsInput(value: unknown, input: number): boolean {
  if (typeof value === "number") return value === input;
  if (Array.isArray(value)) return value.some((v) => mentionsInput(v, input));
  return isInput(value, input);
}

function planParts(plan: unknown): {
  strings: string[];
  funcs: { name: string; params: unknown[]; blocks: unknown }[];
  plans: { blocks: unknown }[];
} {
  if (!isObject(plan) || !isObject(plan.static) || !isObject(plan.plans)) {
    throw new Error("not an OPA IR plan (expected static, plans and funcs)");
  }
  const strings = (Array.isArray(plan.static.strings) ? plan.static.strings : []).map((s) =>
    isObject(s) && typeof s.value === "string" ? s.value : ""
  );
  const funcs = isObject(plan.funcs) && Array.isArray(plan.funcs.funcs) ? plan.funcs.funcs : [];
  const plans = Array.isArray(plan.plans.plans) ? plan.plans.plans : [];
  for (const f of funcs) {
    if (!isObject(f) || typeof f.name !== "string" || !Array.isArray(f.params)) {
      throw new Error("a malformed function in the plan");
    }
  }
  return { strings, funcs, plans };
}
