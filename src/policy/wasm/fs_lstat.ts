/**
 * `km.fs.lstat(path)`: what is at `path` on this machine, without following a link there:
 * `{"type": "file"|"dir"|"symlink"|"other", "links": <hard links>, "size": <bytes>}`, or
 * undefined (the call is undefined in Rego) when nothing is. A file with more than one hard
 * link is the same file under another name, perhaps outside the folder a policy guards, which
 * no path check can see. Anything else that stops the look (no permission) throws: the policy
 * cannot be sure.
 */

/** What the built-in answers. */
export interface PathInfo {
  readonly type: "file" | "dir" | "symlink" | "other";
  readonly links: number;
  readonly size: number;
}

/** `path`'s info, from `lstat` (injected for tests); undefined when nothing is there. */
export function pathInfo(
  path: string,
  lstat: (path: string) => Deno.FileInfo = Deno.lstatSync,
): PathInfo | undefined {
  if (!path.startsWith("/")) throw new TypeError(`${path} is not an absolute path`);
  if (path.includes("\0")) throw new TypeError("the path contains a NUL");
  let info: Deno.FileInfo;
  try {
    info = lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw error;
  }
  const type = info.isSymlink
    ? "symlink"
    : info.isFile
    ? "file"
    : info.isDirectory
    ? "dir"
    : "other";
  // nlink is null where the system does not say (Windows): one name, as far as km can tell.
  return { type, links: info.nlink ?? 1, size: info.size };
}
