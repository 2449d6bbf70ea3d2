/**
 * The file system a WASI guest sees: a read-only tree held in memory, built from the files the
 * caller hands over. The guest can read only what it was given, can write nothing, and what it
 * reads cannot change under it. Pure: no I/O.
 */

/** A regular file of the tree. */
export interface MemoryFile {
  readonly kind: "file";
  readonly ino: bigint;
  readonly bytes: Uint8Array;
}

/** A directory of the tree; its entries are kept sorted by name. */
export interface MemoryDir {
  readonly kind: "dir";
  readonly ino: bigint;
  readonly entries: Map<string, MemoryNode>;
}

export type MemoryNode = MemoryFile | MemoryDir;

/**
 * A tree holding `files` (absolute paths with `/`, e.g. `/tmp/km/policy/a.rego`, to their
 * bytes), with every directory on their way. Throws when a path is not absolute, names `.` or
 * `..`, or is both a file and a directory.
 */
export function memoryTree(files: ReadonlyMap<string, Uint8Array>): MemoryDir {
  let ino = 1n;
  const root: MemoryDir = { kind: "dir", ino: ino++, entries: new Map() };
  for (const [path, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!path.startsWith("/")) throw new Error(`memoryTree: "${path}" is not an absolute path`);
    const parts = path.split("/").filter((p) => p !== "");
    if (parts.length === 0 || parts.some((p) => p === "." || p === "..")) {
      throw new Error(`memoryTree: "${path}" does not name a file`);
    }
    let dir = root;
    for (const [i, name] of parts.entries()) {
      const existing = dir.entries.get(name);
      if (i === parts.length - 1) {
        // Sorted, a file comes before what lies under it: only a second spelling meets one here.
        if (existing) throw new Error(`memoryTree: "${path}" names a file given twice`);
        dir.entries.set(name, { kind: "file", ino: ino++, bytes });
      } else if (existing === undefined) {
        const sub: MemoryDir = { kind: "dir", ino: ino++, entries: new Map() };
        dir.entries.set(name, sub);
        dir = sub;
      } else if (existing.kind === "dir") {
        dir = existing;
      } else {
        throw new Error(
          `memoryTree: "${path}" lies under the file "/${parts.slice(0, i + 1).join("/")}"`,
        );
      }
    }
  }
  return root;
}

/** Why a path does not resolve: missing, a file where a directory was needed, or out of reach. */
export type LookupFailure = "not_found" | "not_a_directory" | "outside";

/**
 * The node `path` names relative to `dir` (`.` and `..` resolved, never above `dir`: WASI's
 * capability model lets a guest reach only below a directory it holds).
 */
export function lookup(dir: MemoryDir, path: string): MemoryNode | LookupFailure {
  const stack: MemoryNode[] = [dir];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    const top = stack[stack.length - 1];
    if (top.kind !== "dir") return "not_a_directory";
    if (part === "..") {
      if (stack.length === 1) return "outside";
      stack.pop();
      continue;
    }
    const next = top.entries.get(part);
    if (next === undefined) return "not_found";
    stack.push(next);
  }
  const found = stack[stack.length - 1];
  // "a/file/" names a directory that is not one.
  return path.endsWith("/") && found.kind !== "dir" ? "not_a_directory" : found;
}

/** The entries of `dir`, sorted by name (the order a guest's readdir sees). */
export function sortedEntries(dir: MemoryDir): [string, MemoryNode][] {
  return [...dir.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
