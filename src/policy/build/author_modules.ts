/**
 * Refusing a policy km could not use. km compiles its framework (framework.ts), in
 * `package kilometers`, into every policy, so `kilometers/decision` always exists: a policy
 * whose rules are in another package builds, loads and allows everything without a word. So
 * before a policy is built, its own modules must define at least one of the rule sets the
 * framework combines. A light reading of the Rego (package line, the names of top-level rules);
 * OPA still compiles and checks everything else.
 */
import { KmError } from "../../errors.ts";
import { FRAMEWORK_REGO } from "./framework.ts";

/**
 * The rule sets of `package kilometers` the framework combines into the decision (deny, ask,
 * patch, ...): read from the framework itself, each declared there as an empty set.
 */
export const RULE_SETS: readonly string[] = [
  ...FRAMEWORK_REGO.matchAll(/^(\w+) contains x if some x in \[\]$/gm),
].map((m) => m[1]);

/** What a module declares: its package and the names of its top-level rules. */
export interface ModuleShape {
  readonly file: string;
  /** The package path (`kilometers`, `mypolicy.rules`); undefined when there is no package line. */
  readonly package?: string;
  readonly rules: readonly string[];
}

/** The package and top-level rule names of the Rego module `text`. */
export function moduleShape(file: string, text: string): ModuleShape {
  let pkg: string | undefined;
  const rules: string[] = [];
  for (const line of topLevel(text).split("\n")) {
    const match = /^\s*([A-Za-z_]\w*)(?:\s+([A-Za-z_][\w.]*))?/.exec(line);
    if (!match) continue;
    const [, first, second] = match;
    if (first === "package") pkg ??= second;
    else if (first === "default" && second) rules.push(second.split(".")[0]);
    else if (first !== "import" && first !== "else" && first !== "if") rules.push(first);
  }
  return { file, package: pkg, rules };
}

/**
 * Throws POLICY_INVALID, naming the packages found and the one expected, unless some module of
 * `modules` (the author's own, without km's framework or tests) defines a rule set of
 * `package kilometers`.
 */
export function requireKmRules(
  policy: string,
  modules: readonly { readonly file: string; readonly text: string }[],
): void {
  const shapes = modules.map((m) => moduleShape(m.file, m.text));
  const used = shapes.some((s) =>
    s.package === "kilometers" && s.rules.some((r) => RULE_SETS.includes(r))
  );
  if (used) return;
  const byPackage = new Map<string, string[]>();
  for (const s of shapes) {
    const name = s.package ? `package ${s.package}` : "no package line";
    byPackage.set(name, [...(byPackage.get(name) ?? []), s.file]);
  }
  const found = [...byPackage].map(([name, files]) => `${name} (${files.join(", ")})`);
  throw new KmError(
    "POLICY_INVALID",
    `Policy "${policy}" has no rules km evaluates, so it would allow everything: km evaluates ` +
      `${RULE_SETS.join(", ")} in package kilometers, and none is defined there; its modules ` +
      `are in ${found.join("; ")}`,
    "start the policy's modules with `package kilometers` and add to deny, ask, ... " +
      "(docs/policy.md); to relay with no policy at all, use --no-policy",
  );
}

/**
 * `text` with comments and string contents removed and only what is outside brackets kept
 * (newlines always): each line then starts with a top-level keyword or a rule's name.
 */
function topLevel(text: string): string {
  let out = "";
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") out += c;
    else if (c === "#") {
      while (i + 1 < text.length && text[i + 1] !== "\n") i++;
    } else if (c === '"') {
      while (i + 1 < text.length && text[i + 1] !== '"' && text[i + 1] !== "\n") {
        if (text[i + 1] === "\\") i++;
        i++;
      }
      i++;
    } else if (c === "`") {
      while (i + 1 < text.length && text[i + 1] !== "`") out += text[++i] === "\n" ? "\n" : "";
      i++;
    } else if (c === "{" || c === "[" || c === "(") depth++;
    else if (c === "}" || c === "]" || c === ")") depth = Math.max(0, depth - 1);
    else if (depth === 0) out += c;
  }
  return out;
}
