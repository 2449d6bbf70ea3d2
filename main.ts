/** km: a security proxy for MCP servers. See README.md. */
import { run } from "./src/cli/cli.ts";
import { systemIo } from "./src/cli/system.ts";

if (import.meta.main) {
  const io = systemIo();
  const code = await run(Deno.args, io);
  await io.flush();
  Deno.exit(code);
}
