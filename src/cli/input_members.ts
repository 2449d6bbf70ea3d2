/**
 * `km policy eval`'s check of the input it is given: a top-level member that km's input document
 * does not have (docs/policy.md, "The input document") and that no rule of the policy reads is
 * most likely a misspelling (`tol` for `tool`), which would otherwise pass in silence: the rules
 * see no `tool` and decide as if there were none. Pure.
 */
import type { InputUse } from "../policy/build/input_use.ts";
import type { PinInputMembers, PolicyInput } from "../policy/input.ts";
import { suggest } from "../suggest.ts";

/** The members of km's input document; the type keeps it equal to PolicyInput's. */
const DOCUMENT: Readonly<Record<keyof (PolicyInput & PinInputMembers), true>> = {
  version: true,
  direction: true,
  kind: true,
  method: true,
  id: true,
  message: true,
  tool: true,
  request: true,
  session: true,
  stats: true,
  mode: true,
  integrity: true,
  pins: true,
  result_labels: true,
};

/** The top-level members of km's input document, in the order docs/policy.md lists them. */
export const INPUT_MEMBERS: readonly string[] = Object.keys(DOCUMENT);

/**
 * A warning for each top-level member of `input` that is not a member of km's input document
 * and that the policy does not read (`use`; a policy compiled elsewhere, whose reads are not
 * known, is taken to read none of them, since km never supplies them), with the member it may
 * stand for. None when `input` is not an object: the policy then gets what it was given.
 */
export function inputWarnings(input: unknown, use: InputUse): string[] {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return [];
  const read = new Set(use.members ?? []);
  return Object.keys(input)
    .filter((name) => !Object.hasOwn(DOCUMENT, name) && !read.has(name))
    .map((name) => {
      const hint = suggest(name, INPUT_MEMBERS);
      return `input member "${name}" is not part of km's input document` +
        (hint ? ` (did you mean "${hint}"?)` : ` (its members: ${INPUT_MEMBERS.join(", ")})`);
    });
}
