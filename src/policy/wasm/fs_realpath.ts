/**
 * `km.fs.realpath(path)`: where an absolute path leads on this machine, as the kernel would
 * follow it: every symbolic link on the way is followed, dangling ones too (writing to a link
 * whose target does not exist creates the target), `..` climbs from where the links led, and
 * the components that do not exist are kept as written. GNU `realpath --canonicalize-missing`.
 *
 * For a policy judging a server that shares km's file system: `notes/todo.md` may look inside
 * the workspace while `notes` links to `/etc`. Pure: the caller passes how to read a link.
 */

/** What a path is, for the walk: a link (with its target), something else, or nothing. */
export type PathKind = { link: string } | "other" | "missing";

/** Links followed before giving up, as Linux's MAXSYMLINKS. */
export const MAX_LINKS = 40;

/** The path `path` leads to; throws for a relative path, a NUL, or a loop of links. */
export function realpathMissing(path: string, kindOf: (path: string) => PathKind): string {
  if (!path.startsWith("/")) throw new TypeError(`${path} is not an absolute path`);
  if (path.includes("\0")) throw new TypeError("the path contains a NUL");
  const done: string[] = [];
  // What is left to walk, the next component last.
  const pending = segments(path).reverse();
  let links = 0;
  while (pending.length > 0) {
    const segment = pending.pop()!;
    if (segment === "..") {
      done.pop();
      continue;
    }
    done.push(segment);
    const kind = kindOf("/" + done.join("/"));
    if (typeof kind !== "object") continue;
    if (++links > MAX_LINKS) {
      throw new Error(`${path}: more than ${MAX_LINKS} symbolic links (a loop?)`);
    }
    done.pop();
    if (kind.link.startsWith("/")) done.length = 0;
    pending.push(...segments(kind.link).reverse());
  }
  return "/" + done.join("/");
}

function segments(path: string): string[] {
  return path.split("/").filter((s) => s !== "" && s !== ".");
}

/**
 * The kind of `path` on this machine. A path under a missing directory or a file is missing.
 * Anything else that stops the look (no permission) throws: the policy cannot be sure.
 */
export function hostPathKind(path: string): PathKind {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return "missing";
    }
    throw error;
  }
  return info.isSymlink ? { link: Deno.readLinkSync(path) } : "other";
}
