/** km: a security proxy for MCP servers. See README.md. */
import { run } from "./src/cli/cli.ts";
import { systemIo } from "./src/cli/system.ts";

/**
 * Runs km with `args` and exits with its code. Exported for the entry of km's npm bundle
 * (packaging/npm/entry.ts), which sets the package's paths up first and then calls this.
 */
export async function main(args: readonly string[] = Deno.args): Promise<never> {
  const io = systemIo();
  const code = await run(args, io);
  await io.flush();
  Deno.exit(code);
}

if (import.meta.main) await main();
