import { deepStrictEqual, equal, throws } from "node:assert/strict";
import { pathInfo } from "./fs_lstat.ts";

Deno.test("pathInfo: files, hard links, folders, links (not followed), and nothing", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.writeTextFile(`${dir}/one`, "abc");
    await Deno.writeTextFile(`${dir}/shared`, "x");
    await Deno.link(`${dir}/shared`, `${dir}/also`);
    await Deno.symlink(`${dir}/missing`, `${dir}/dangling`);
    deepStrictEqual(pathInfo(`${dir}/one`), { type: "file", links: 1, size: 3 });
    deepStrictEqual(pathInfo(`${dir}/also`), { type: "file", links: 2, size: 1 });
    equal(pathInfo(dir)?.type, "dir");
    equal(pathInfo(`${dir}/dangling`)?.type, "symlink");
    equal(pathInfo(`${dir}/missing`), undefined);
    equal(pathInfo(`${dir}/one/below`), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pathInfo: a relative path or a NUL throws; so does a look km is refused", () => {
  throws(() => pathInfo("a/b"), /not an absolute path/);
  throws(() => pathInfo("/a\0"), /NUL/);
  const refused = () => {
    throw new Deno.errors.PermissionDenied("Permission denied (os error 13)");
  };
  throws(() => pathInfo("/root/x", refused), /Permission denied/);
});
