import { equal, throws } from "node:assert/strict";
import { hostPathKind, type PathKind, realpathMissing } from "./fs_realpath.ts";

/** A file system of directories, files and links, by absolute path. */
function fakeFs(entries: Record<string, "dir" | "file" | { link: string }>) {
  return (path: string): PathKind => {
    const entry = entries[path];
    if (entry === undefined) return "missing";
    return typeof entry === "object" ? entry : "other";
  };
}

const FS = fakeFs({
  "/ws": "dir",
  "/ws/src": "dir",
  "/ws/src/a.js": "file",
  "/ws/notes": { link: "/etc" },
  "/ws/up": { link: "../home/user" },
  "/ws/current": { link: "src" },
  "/ws/dangling": { link: "/etc/cron.d/job" },
  "/ws/chain": { link: "up/.ssh" },
  "/ws/loop": { link: "loop" },
  "/etc": "dir",
  "/home": "dir",
  "/home/user": "dir",
});

Deno.test("realpathMissing: paths without links are normalised only", () => {
  equal(realpathMissing("/ws/src/a.js", FS), "/ws/src/a.js");
  equal(realpathMissing("/ws//./src/", FS), "/ws/src");
  equal(realpathMissing("/ws/new/dir/file.txt", FS), "/ws/new/dir/file.txt");
  equal(realpathMissing("/", FS), "/");
  equal(realpathMissing("/..", FS), "/");
});

Deno.test("realpathMissing: links are followed, absolute and relative, to where they lead", () => {
  equal(realpathMissing("/ws/notes/passwd", FS), "/etc/passwd");
  equal(realpathMissing("/ws/up/.bashrc", FS), "/home/user/.bashrc");
  equal(realpathMissing("/ws/current/a.js", FS), "/ws/src/a.js");
  // A link to a link.
  equal(realpathMissing("/ws/chain/id_rsa", FS), "/home/user/.ssh/id_rsa");
});

Deno.test("realpathMissing: a dangling link leads to its target (a write would create it)", () => {
  equal(realpathMissing("/ws/dangling", FS), "/etc/cron.d/job");
});

Deno.test("realpathMissing: '..' climbs from where a link led, as the kernel does", () => {
  equal(realpathMissing("/ws/notes/../home", FS), "/home");
  equal(realpathMissing("/ws/src/../notes/x", FS), "/etc/x");
});

Deno.test("realpathMissing: a loop, a relative path or a NUL throws", () => {
  throws(() => realpathMissing("/ws/loop/x", FS), /more than 40 symbolic links/);
  throws(() => realpathMissing("ws/src", FS), /not an absolute path/);
  throws(() => realpathMissing("/ws/\0", FS), /NUL/);
});

Deno.test("hostPathKind: reads this machine's links; missing under a file or a missing folder", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.mkdir(`${dir}/ws`);
    await Deno.mkdir(`${dir}/outside`);
    await Deno.writeTextFile(`${dir}/ws/file`, "x");
    await Deno.symlink(`${dir}/outside`, `${dir}/ws/out`);
    await Deno.symlink("../outside/new.txt", `${dir}/ws/dangling`);
    equal(realpathMissing(`${dir}/ws/out/a/b`, hostPathKind), `${dir}/outside/a/b`);
    equal(realpathMissing(`${dir}/ws/dangling`, hostPathKind), `${dir}/outside/new.txt`);
    equal(realpathMissing(`${dir}/ws/file/below`, hostPathKind), `${dir}/ws/file/below`);
    equal(realpathMissing(`${dir}/ws/none/below`, hostPathKind), `${dir}/ws/none/below`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
