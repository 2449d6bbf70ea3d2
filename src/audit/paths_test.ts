import { equal } from "node:assert/strict";
import { defaultDataDir, logDirOf, parentDir, serverNameOf, sessionFileName } from "./paths.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("defaultDataDir follows XDG, then HOME, and APPDATA on Windows", () => {
  equal(defaultDataDir(envOf({ HOME: "/home/a" }), "linux"), "/home/a/.local/share/km");
  equal(defaultDataDir(envOf({ HOME: "/Users/a" }), "darwin"), "/Users/a/.local/share/km");
  equal(defaultDataDir(envOf({ HOME: "/home/a", XDG_DATA_HOME: "/data" }), "linux"), "/data/km");
  equal(
    defaultDataDir(envOf({ APPDATA: "C:\\Users\\a\\AppData\\Roaming" }), "windows"),
    "C:\\Users\\a\\AppData\\Roaming\\km",
  );
  equal(defaultDataDir(envOf({}), "linux"), undefined);
});

Deno.test("sessionFileName sorts by time and names the server", () => {
  equal(
    sessionFileName(Date.UTC(2026, 10, 22, 20, 1, 2), "server-everything", "1a2b3c4d-5e6f"),
    "2026-11-22T20-01-02Z_server-everything_1a2b3c4d.jsonl",
  );
});

Deno.test("serverNameOf sees through launchers, scopes and generic file names", () => {
  equal(
    serverNameOf(["npx", "-y", "@modelcontextprotocol/server-everything"]),
    "server-everything",
  );
  equal(
    serverNameOf(["npx", "-y", "@modelcontextprotocol/server-filesystem@2026.8.31", "/tmp"]),
    "server-filesystem",
  );
  equal(
    serverNameOf([
      "node",
      "/x/node_modules/@modelcontextprotocol/server-everything/dist/index.js",
      "stdio",
    ]),
    "server-everything",
  );
  equal(serverNameOf(["uvx", "mcp-server-git", "--repository", "."]), "mcp-server-git");
  equal(serverNameOf(["/usr/local/bin/My Server"]), "my-server");
  equal(serverNameOf(["python", "-m", "weather"]), "weather");
  equal(serverNameOf(["deno", "run", "-A", "server.ts"]), "server");
});

Deno.test("parentDir and logDirOf", () => {
  equal(parentDir("/a/b/c.jsonl"), "/a/b");
  equal(parentDir("C:\\logs\\s.jsonl"), "C:\\logs");
  equal(parentDir("s.jsonl"), ".");
  equal(parentDir("/s.jsonl"), "/");
  const env = envOf({ HOME: "/home/u" });
  equal(logDirOf({ logDir: "/x" }, env, "linux"), "/x");
  equal(logDirOf({ dataDir: "/d" }, env, "linux"), "/d/logs");
  equal(logDirOf({}, env, "linux"), "/home/u/.local/share/km/logs");
  equal(logDirOf({}, () => undefined, "linux"), undefined);
});
