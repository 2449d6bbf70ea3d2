/**
 * A small declarative option parser. Unlike node:util parseArgs it stops at the first
 * positional argument, so everything from the server command on is left untouched, even when
 * a launcher has swallowed the `--` that should separate them.
 */
import { suggest } from "../suggest.ts";
import { KmError } from "../errors.ts";

export interface OptionSpec {
  readonly name: string;
  readonly short?: string;
  /** boolean flags take no value; value options take one; list options may repeat. */
  readonly kind: "boolean" | "value" | "list";
  readonly valueName?: string;
  readonly description: string;
}

export interface Parsed {
  readonly values: Readonly<Record<string, string | boolean | string[]>>;
  /** Arguments after `--`, or from the first positional on. */
  readonly rest: readonly string[];
  /** True when the rest came after an explicit `--`. */
  readonly separated: boolean;
}

/** Parses leading options of `args` per `specs`. Throws USAGE naming the bad option. */
export function parseOptions(
  args: readonly string[],
  specs: readonly OptionSpec[],
  command: string,
): Parsed {
  const values: Record<string, string | boolean | string[]> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") return { values, rest: args.slice(i + 1), separated: true };
    if (!arg.startsWith("-") || arg === "-") {
      return { values, rest: args.slice(i), separated: false };
    }
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--")
      ? (eq === -1 ? arg.slice(2) : arg.slice(2, eq))
      : arg.slice(1);
    const spec = arg.startsWith("--")
      ? specs.find((s) => s.name === flag)
      : specs.find((s) => s.short === flag);
    if (!spec) {
      const hint = suggest(flag, specs.map((s) => s.name));
      throw new KmError(
        "USAGE",
        `unknown option "${arg.slice(0, eq === -1 ? undefined : eq)}" for km ${command}` +
          (hint ? ` (did you mean --${hint}?)` : ""),
        `run \`km ${command} --help\` to list the options`,
      );
    }
    if (spec.kind === "boolean") {
      if (eq !== -1) throw new KmError("USAGE", `option --${spec.name} takes no value`);
      values[spec.name] = true;
      continue;
    }
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (i + 1 < args.length) value = args[++i];
    else {throw new KmError(
        "USAGE",
        `option --${spec.name} needs a value (${spec.valueName ?? "VALUE"})`,
      );}
    if (spec.kind === "list") {
      values[spec.name] = [...((values[spec.name] as string[]) ?? []), value];
    } else values[spec.name] = value;
  }
  return { values, rest: [], separated: false };
}

/** The options block of a help text. */
export function formatOptions(specs: readonly OptionSpec[]): string {
  const rows = specs.map((s) => {
    const names = `${s.short ? `-${s.short}, ` : "    "}--${s.name}${
      s.kind === "boolean" ? "" : ` ${s.valueName ?? "VALUE"}`
    }`;
    return [names, s.description] as const;
  });
  const width = Math.max(...rows.map(([n]) => n.length)) + 2;
  return rows.map(([n, d]) => `  ${n.padEnd(width)}${d}`).join("\n");
}
