// deno-lint-ignore-file no-console -- a developer script, not part of km: it talks to people.
/**
 * The benchmark's baseline proxy: spawns a command and pipes bytes both ways with no parsing
 * at all; the command's stderr is inherited. This is the cost of one extra process hop in
 * Deno, the floor that any stdio proxy written in Deno sits on. Exits with the command's code.
 *
 * Usage: deno run --allow-run scripts/bench/raw_relay.ts <command> [args...]
 */

if (import.meta.main) {
  const [program, ...args] = Deno.args;
  if (!program) {
    console.error("usage: raw_relay.ts <command> [args...]");
    Deno.exit(2);
  }
  const child = new Deno.Command(program, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  // A failed pipe means one side is gone; the child's exit ends the relay either way.
  const upstream = Deno.stdin.readable.pipeTo(child.stdin).catch(() => {});
  const downstream = child.stdout.pipeTo(Deno.stdout.writable).catch(() => {});
  const status = await child.status;
  await downstream;
  void upstream;
  Deno.exit(status.code);
}
