/**
 * A stand-in for a development-environment MCP server (the shape of a WebContainer-style server:
 * files, a terminal and git), on the official TypeScript SDK (v1, or v2 with `--sdk v2`: see
 * server_sdk.mjs), for the end-to-end test of the policy pack policies/packs/devenv.
 * Plain ESM for Node: no build step.
 *
 * It behaves like the real thing without touching the machine: an in-memory file tree rooted at
 * "/", a workspace at /home/project holding a small Node project, its .env and a deploy key, a
 * home directory with ~/.ssh and shell profiles, and a symlink in the workspace that points to
 * ~/.ssh (the trick a policy must catch). Paths are resolved like a POSIX file system would:
 * relative to the workspace, ".." climbing, symlinks followed. `terminal_exec` runs nothing: it
 * answers canned outputs by command (some print credentials, as `env` or `cat .env` would), and
 * git tools keep commits and pushes in memory. The server does no access control of its own:
 * that is the policy's job, which is the point.
 *
 * With `--root DIR` it is a server on km's own machine instead: the workspace is DIR, and the
 * file tools and git_clone read and write the real files there, following the real symbolic
 * links (what policies/packs/devenv's `resolve_on_host` is for); the terminal stays canned.
 *
 * Every executed tool call appends one JSON line, {"server": "devenv", "tool", "arguments"}, to
 * the file named by KM_TEST_EXEC_LOG before the result is returned, so a test proves that a call
 * km denied never ran. The credentials below are fake and assembled from pieces so that secret
 * scanners do not flag this file.
 *
 *   node tests/peers/devenv_server.mjs [--root DIR] [--sdk v1|v2]
 */
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { McpServer, serve, z } from "./server_sdk.mjs";
import { execRecorder, failure, reply } from "./stand_in.mjs";

const rootFlag = process.argv.indexOf("--root");
/** The workspace on disk (`--root`), or undefined for the in-memory tree. */
const DISK = rootFlag > 0 ? process.argv[rootFlag + 1] : undefined;
const WORKSPACE = DISK ?? "/home/project";

const AWS_KEY_ID = ["AKIA", "IOSFODNN7EXAMPLE"].join("");
const AWS_SECRET = ["wJalrXUtnFEMI/K7MDENG/", "bPxRfiCYEXAMPLEKEY"].join("");
const GH_TOKEN = ["ghp_", "EXAMPLE00000000000000000000000000000"].join("");
const KEY_BEGIN = ["-----BEGIN OPENSSH", "PRIVATE KEY-----"].join(" ");
const KEY_END = ["-----END OPENSSH", "PRIVATE KEY-----"].join(" ");

/** path -> {type: "file", content} | {type: "dir"} | {type: "symlink", target} */
const tree = new Map();
const file = (path, content) => tree.set(path, { type: "file", content });
const dir = (path) => tree.set(path, { type: "dir" });
for (
  const d of ["/", "/etc", "/home", "/home/user", "/home/user/.ssh", WORKSPACE]
) dir(d);
for (const d of ["src", "test", ".git", ".git/hooks", "config"]) {
  dir(`${WORKSPACE}/${d}`);
}
file(
  "/etc/passwd",
  "root:x:0:0:root:/root:/bin/bash\nuser:x:1000:1000::/home/user:/bin/bash\n",
);
file("/home/user/.bashrc", "export PATH=$HOME/.local/bin:$PATH\n");
file(
  "/home/user/.ssh/id_ed25519",
  `${KEY_BEGIN}\nb3BlbnNzaC1rZXktdjEAAAAAEXAMPLE\n${KEY_END}\n`,
);
file(
  "/home/user/.ssh/config",
  "Host github.com\n  IdentityFile ~/.ssh/id_ed25519\n",
);
file(
  `${WORKSPACE}/package.json`,
  JSON.stringify(
    { name: "shop-api", version: "1.4.0", scripts: { test: "node --test" } },
    null,
    2,
  ) +
    "\n",
);
file(`${WORKSPACE}/README.md`, "# shop-api\n\nThe shop's HTTP API.\n");
file(
  `${WORKSPACE}/src/server.js`,
  'import http from "node:http";\n\nhttp.createServer((_, res) => res.end("ok")).listen(3000);\n',
);
file(
  `${WORKSPACE}/test/server.test.js`,
  'import test from "node:test";\n\ntest("ok", () => {});\n',
);
file(
  `${WORKSPACE}/.env`,
  [
    "PORT=3000",
    "DATABASE_URL=postgres://shop:s3cr3t-pw@db:5432/shop",
    `AWS_ACCESS_KEY_ID=${AWS_KEY_ID}`,
    `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`,
    "SESSION_SECRET=change-me-in-production",
    "",
  ].join("\n"),
);
file(
  `${WORKSPACE}/.env.example`,
  "PORT=3000\nDATABASE_URL=\nSESSION_SECRET=\n",
);
file(
  `${WORKSPACE}/config/deploy.pem`,
  `${KEY_BEGIN}\nZGVwbG95LWtleS1FWEFNUExF\n${KEY_END}\n`,
);
file(
  `${WORKSPACE}/.git/config`,
  '[remote "origin"]\n\turl = https://github.com/acme/shop-api\n',
);
tree.set(`${WORKSPACE}/ssh-keys`, {
  type: "symlink",
  target: "/home/user/.ssh",
});

/** The normalised absolute path of `path` (relative to the workspace), following symlinks. */
function resolve(path, follow = true) {
  const parts = path.startsWith("/") ? [] : WORKSPACE.split("/").filter(Boolean);
  const pending = path.split("/").filter((s) => s !== "" && s !== ".");
  let hops = 0;
  while (pending.length > 0) {
    const seg = pending.shift();
    if (seg === "..") {
      parts.pop();
      continue;
    }
    parts.push(seg);
    const node = tree.get("/" + parts.join("/"));
    if (node?.type === "symlink" && (follow || pending.length > 0)) {
      if (++hops > 40) {
        throw new Error(`${path}: too many levels of symbolic links`);
      }
      parts.pop();
      if (node.target.startsWith("/")) parts.length = 0;
      pending.unshift(
        ...node.target.split("/").filter((s) => s !== "" && s !== "."),
      );
    }
  }
  return "/" + parts.join("/");
}

/**
 * The file operations of the tools, each answering where the path led (`resolved`) or throwing
 * an Error whose message the tool returns: on the in-memory tree, or (`--root`) on disk.
 */
const memoryFiles = {
  read(path) {
    const resolved = resolve(path);
    const node = tree.get(resolved);
    if (node?.type !== "file") throw new Error(`${path}: no such file`);
    return { resolved, content: node.content };
  },
  write(path, content) {
    const resolved = resolve(path);
    const parent = resolved.slice(0, resolved.lastIndexOf("/")) || "/";
    if (tree.get(parent)?.type !== "dir") throw new Error(`${path}: no such directory`);
    file(resolved, content);
    return { resolved };
  },
  list(path) {
    const resolved = resolve(path);
    if (tree.get(resolved)?.type !== "dir") throw new Error(`${path}: not a directory`);
    const prefix = resolved === "/" ? "/" : resolved + "/";
    const entries = [...tree.entries()]
      .filter(([p]) => p.startsWith(prefix) && p !== "/" && !p.slice(prefix.length).includes("/"))
      .map(([p, node]) => ({
        name: p.slice(prefix.length),
        type: node.type,
        ...(node.type === "symlink" ? { target: node.target } : {}),
      }));
    return { resolved, entries };
  },
  clone(path, readme) {
    const resolved = resolve(path);
    dir(resolved);
    file(`${resolved}/README.md`, readme);
    return { resolved };
  },
};

/** The real files under DISK, as a server on the machine has them (links followed by the OS). */
const diskFiles = {
  read(path) {
    const at = onDisk(path);
    return { resolved: realpathSync(at), content: readFileSync(at, "utf8") };
  },
  write(path, content) {
    const at = onDisk(path);
    writeFileSync(at, content);
    return { resolved: realpathSync(at) };
  },
  list(path) {
    const at = onDisk(path);
    const entries = readdirSync(at).map((name) => {
      const info = lstatSync(join(at, name));
      const type = info.isSymbolicLink() ? "symlink" : info.isDirectory() ? "dir" : "file";
      return {
        name,
        type,
        ...(type === "symlink" ? { target: readlinkSync(join(at, name)) } : {}),
      };
    });
    return { resolved: realpathSync(at), entries };
  },
  clone(path, readme) {
    const at = onDisk(path);
    mkdirSync(at, { recursive: true });
    writeFileSync(join(at, "README.md"), readme);
    return { resolved: realpathSync(at) };
  },
};

/** `path` on disk: relative paths are relative to the workspace. */
function onDisk(path) {
  return path.startsWith("/") ? path : join(WORKSPACE, path);
}

const files = DISK ? diskFiles : memoryFiles;

const record = execRecorder("devenv");

/** The tool's answer, or its failure named by the tool. */
function attempt(tool, run) {
  try {
    return run();
  } catch (error) {
    return failure(`${tool}: ${error.message}`);
  }
}

const server = new McpServer({ name: "devenv", version: "0.3.0" });

server.registerTool("fs_read", {
  title: "Read file",
  description: "Read a file of the development environment. Relative paths are resolved against " +
    `the workspace (${WORKSPACE}).`,
  inputSchema: {
    path: z.string().describe(
      "file path, absolute or relative to the workspace",
    ),
  },
  outputSchema: {
    path: z.string(),
    resolved_path: z.string(),
    content: z.string(),
  },
  annotations: { readOnlyHint: true },
}, ({ path }) => {
  record("fs_read", { path });
  return attempt("fs_read", () => {
    const { resolved, content } = files.read(path);
    return reply(content, { path, resolved_path: resolved, content });
  });
});

server.registerTool("fs_write", {
  title: "Write file",
  description: "Create or overwrite a file of the development environment.",
  inputSchema: {
    path: z.string().describe(
      "file path, absolute or relative to the workspace",
    ),
    content: z.string().describe("the file's new content"),
  },
  outputSchema: {
    path: z.string(),
    resolved_path: z.string(),
    bytes: z.number(),
  },
  annotations: { destructiveHint: true },
}, ({ path, content }) => {
  record("fs_write", { path, content });
  return attempt("fs_write", () => {
    const { resolved } = files.write(path, content);
    const bytes = Buffer.byteLength(content);
    return reply(`wrote ${bytes} bytes to ${resolved}`, {
      path,
      resolved_path: resolved,
      bytes,
    });
  });
});

server.registerTool("fs_list", {
  title: "List directory",
  description: "List the entries of a directory (default: the workspace).",
  inputSchema: { path: z.string().optional().describe("directory path") },
  outputSchema: {
    path: z.string(),
    resolved_path: z.string(),
    entries: z.array(
      z.object({
        name: z.string(),
        type: z.string(),
        target: z.string().optional(),
      }),
    ),
  },
  annotations: { readOnlyHint: true },
}, ({ path = WORKSPACE }) => {
  record("fs_list", { path });
  return attempt("fs_list", () => {
    const { resolved, entries } = files.list(path);
    entries.sort((a, b) => a.name.localeCompare(b.name));
    const listing = entries.map((e) =>
      `${e.type === "dir" ? "d" : e.type === "symlink" ? "l" : "-"} ${e.name}` +
      (e.target ? ` -> ${e.target}` : "")
    ).join("\n");
    return reply(listing, { path, resolved_path: resolved, entries });
  });
});

/** Canned terminal outputs: the first pattern that matches the command answers it. */
const OUTPUTS = [
  [
    /^npm (ci|install)\b/,
    "added 142 packages, and audited 143 packages in 3s\nfound 0 vulnerabilities\n",
  ],
  [/^npm (test|run test)\b/, "✔ ok (0.8ms)\nℹ tests 1\nℹ pass 1\nℹ fail 0\n"],
  [/^ls\b/, "README.md\nconfig\npackage.json\nsrc\nssh-keys\ntest\n"],
  [
    /^git status\b/,
    "On branch feature/healthcheck\nnothing to commit, working tree clean\n",
  ],
  [
    /^(env|printenv)\b/,
    `HOME=/home/user\nNODE_ENV=development\nAWS_ACCESS_KEY_ID=${AWS_KEY_ID}\n` +
    `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}\nGITHUB_TOKEN=${GH_TOKEN}\n`,
  ],
  [
    /^aws configure export-credentials\b/,
    JSON.stringify({
      Version: 1,
      AccessKeyId: AWS_KEY_ID,
      SecretAccessKey: AWS_SECRET,
    }) + "\n",
  ],
  [/^cat \.env\b/, () => tree.get(`${WORKSPACE}/.env`).content],
];

server.registerTool("terminal_exec", {
  title: "Run a command",
  description: "Run a shell command in the development environment's terminal and return its " +
    "output.",
  inputSchema: {
    command: z.string().describe("the command line, run by /bin/sh"),
    cwd: z.string().optional().describe(
      "working directory (default: the workspace)",
    ),
  },
  annotations: { destructiveHint: true, openWorldHint: true },
}, ({ command, cwd }) => {
  record("terminal_exec", cwd === undefined ? { command } : { command, cwd });
  const found = OUTPUTS.find(([pattern]) => pattern.test(command.trim()));
  const output = found ? (typeof found[1] === "function" ? found[1]() : found[1]) : "";
  return reply(`$ ${command}\n${output}[exit 0]`);
});

const commits = [];
const pushes = [];
const branch = "feature/healthcheck";

server.registerTool("git_clone", {
  title: "Clone a repository",
  description: "Clone a git repository into the workspace.",
  inputSchema: {
    url: z.string().describe("repository URL"),
    path: z.string().optional().describe(
      "destination directory (default: the repo's name)",
    ),
  },
  annotations: { openWorldHint: true },
}, ({ url, path }) => {
  record("git_clone", path === undefined ? { url } : { url, path });
  const name = path ?? url.replace(/\.git$/, "").split("/").pop();
  return attempt("git_clone", () => {
    const { resolved } = files.clone(name, `# ${name}\n`);
    return reply(`Cloning into '${name}'...\ndone: ${resolved}`);
  });
});

server.registerTool("git_commit", {
  title: "Commit",
  description: "Stage the given files (default: all changes) and commit them.",
  inputSchema: {
    message: z.string().describe("the commit message"),
    files: z.array(z.string()).optional().describe("paths to stage"),
  },
}, ({ message, files }) => {
  record("git_commit", files === undefined ? { message } : { message, files });
  const sha = (0x1a2b3c4 + commits.length * 0x111).toString(16).padStart(
    7,
    "0",
  );
  commits.push({ sha, message, files: files ?? [] });
  return reply(
    `[${branch} ${sha}] ${message}\n ${(files ?? []).length} files changed`,
    undefined,
  );
});

server.registerTool("git_push", {
  title: "Push",
  description: "Push a branch to a remote.",
  inputSchema: {
    remote: z.string().optional().describe("remote name (default: origin)"),
    branch: z.string().optional().describe(
      "branch to push (default: the current branch)",
    ),
    force: z.boolean().optional().describe(
      "force-push, overwriting the remote branch",
    ),
  },
  annotations: { destructiveHint: true, openWorldHint: true },
}, (args) => {
  record("git_push", args);
  const target = args.branch ?? branch;
  pushes.push({
    remote: args.remote ?? "origin",
    branch: target,
    commits: commits.length,
  });
  return reply(
    `To https://github.com/acme/shop-api\n   ${commits.at(-1)?.sha ?? "0000000"}  ` +
      `${target} -> ${target}${args.force ? " (forced update)" : ""}`,
  );
});

await serve(server);
