/**
 * Options given after a subcommand or a positional argument (`km config show --config F`,
 * `km init DIR --force`): options.ts stops at the first positional, as `km monitor` needs,
 * so commands that take a few positionals of their own read the rest with this. Pure.
 */
import { type OptionSpec, parseOptions } from "./options.ts";

/**
 * The options among `args`, wherever they are, and the other arguments in order; on top of
 * `leading`, the options already read before a subcommand (a list option adds to them).
 */
export function parseMixed(
  args: readonly string[],
  specs: readonly OptionSpec[],
  command: string,
  leading: Readonly<Record<string, string | boolean | string[]>> = {},
): { values: Record<string, string | boolean | string[]>; positionals: string[] } {
  const values: Record<string, string | boolean | string[]> = { ...leading };
  const positionals: string[] = [];
  let left = args;
  while (left.length > 0) {
    const parsed = parseOptions(left, specs, command);
    for (const [name, value] of Object.entries(parsed.values)) {
      const before = values[name];
      values[name] = Array.isArray(before) && Array.isArray(value) ? [...before, ...value] : value;
    }
    if (parsed.separated) {
      positionals.push(...parsed.rest);
      break;
    }
    if (parsed.rest.length === 0) break;
    positionals.push(parsed.rest[0]);
    left = parsed.rest.slice(1);
  }
  return { values, positionals };
}
