import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { type CommandContext, normaliseServerCommand, splitCommandLine } from "./server_command.ts";

const ctx: CommandContext = {
  exists: (p) => p === "/Apps/My Server",
  self: ["/usr/local/bin/km", "/src/km/main.ts"],
  resolve: (name) => (name === "km" || name === "kilometers" ? "/usr/local/bin/km" : undefined),
};

Deno.test("splitCommandLine honours quotes and escapes without expanding anything", () => {
  assertEquals(splitCommandLine(`npx -y "@scope/server x" --root='/a b' c\\ d $HOME`), [
    "npx",
    "-y",
    "@scope/server x",
    "--root=/a b",
    "c d",
    "$HOME",
  ]);
  assertEquals(splitCommandLine(`a "" b`), ["a", "", "b"]);
  throws(() => splitCommandLine(`a "b`), {
    message: 'server command has an unclosed " quote: a "b',
  });
});

Deno.test("normaliseServerCommand splits a command passed as one string", () => {
  assertEquals(normaliseServerCommand(["npx -y @modelcontextprotocol/server-everything"], ctx), [
    "npx",
    "-y",
    "@modelcontextprotocol/server-everything",
  ]);
});

Deno.test("normaliseServerCommand keeps a single path with spaces that exists", () => {
  assertEquals(normaliseServerCommand(["/Apps/My Server"], ctx), ["/Apps/My Server"]);
});

Deno.test("normaliseServerCommand leaves a normal argv alone", () => {
  assertEquals(normaliseServerCommand(["node", "server.js", "a b"], ctx), [
    "node",
    "server.js",
    "a b",
  ]);
});

Deno.test("normaliseServerCommand refuses to wrap km in itself", () => {
  for (
    const command of [["km", "monitor", "--", "x"], ["kilometers", "monitor"], [
      "/usr/local/bin/km",
    ], ["deno", "run", "-A", "/src/km/main.ts", "monitor", "--", "x"]]
  ) {
    throws(
      () => normaliseServerCommand(command, ctx),
      (e: Error) => e.message.startsWith("refusing to run km inside km"),
    );
  }
});

Deno.test("normaliseServerCommand explains a missing command", () => {
  throws(() => normaliseServerCommand([], ctx), {
    message: "km monitor needs the server command to run",
  });
  throws(() => normaliseServerCommand(["   "], ctx), { message: "the server command is empty" });
});
