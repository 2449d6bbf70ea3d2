# filesystem-allowlist: @modelcontextprotocol/server-filesystem may only touch allowed roots.
#
# Intent: server-filesystem already refuses paths outside the directories it was started with,
# but those are chosen by whoever writes the client's configuration, often wider than needed
# (a home directory). This policy is a second, independent boundary that the security team
# owns: every tools/call whose path arguments are not under one of data.allowed_roots is denied
# before it reaches the server (rule "fs-outside-roots").
#
# Which arguments are paths: `path` (read_text_file, read_file, read_media_file, write_file,
# edit_file, create_directory, list_directory, list_directory_with_sizes, directory_tree,
# search_files, get_file_info), `source` and `destination` (move_file) and each element of
# `paths` (read_multiple_files). The check applies to any tool with such arguments, so a tool a
# future version of the server adds is covered too. Attach this policy to the filesystem server
# only (another server's `path` may mean something else).
#
# Paths are judged as text, conservatively; anything ambiguous is denied:
#   - not a string (or a `paths` that is not a list of strings): "fs-invalid-path";
#   - relative, or starting with "~" (the server expands ~ to the home directory, and resolves
#     relative paths against its working directory): "fs-relative-path";
#   - containing ".." anywhere, even inside a name like "a..b": "fs-dot-dot". Resolving ".."
#     textually is only right when no symlink is involved, so the policy does not try;
#   - otherwise the path is split into segments, dropping empty ones and ".", and must start
#     with all the segments of an allowed root: "/home/ana/project/./src//a.ts" is under
#     "/home/ana/project", "/home/ana/project-old" is not.
# With no data.allowed_roots, every path is denied (fail closed).
#
# Limits: the policy cannot see the filesystem. A symlink inside an allowed root that points
# outside it is caught by the server's own realpath check, not here; on a case-insensitive
# filesystem (macOS) "/Home/Ana/Project" names the same directory but is denied; backslashes
# are ordinary characters on Linux and are not interpreted.
package kilometers

import rego.v1

_call if {
	input.kind == "request"
	input.method == "tools/call"
}

_roots := [_segments(root) | some root in data.allowed_roots]

_segments(p) := [s | some s in split(p, "/"); s != ""; s != "."]

# Every path argument of the call, as [argument, value]; `value` may be anything the client sent.
_paths contains [key, input.tool.arguments[key]] if {
	_call
	some key in ["path", "source", "destination"]
	_ = input.tool.arguments[key]
}

_paths contains [$"paths[{i}]", value] if {
	_call
	some i, value in input.tool.arguments.paths
}

deny contains {"rule": "fs-invalid-path", "reason": $"{input.tool.name}: paths must be a list of paths"} if {
	_call
	paths := input.tool.arguments.paths
	not is_array(paths)
}

deny contains {"rule": "fs-invalid-path", "reason": $"{input.tool.name}: {key} is not a string"} if {
	some [key, value] in _paths
	not is_string(value)
}

deny contains {"rule": "fs-relative-path", "reason": $"{input.tool.name}: {key} {value} is not an absolute path"} if {
	some [key, value] in _paths
	is_string(value)
	not startswith(value, "/")
}

deny contains {"rule": "fs-dot-dot", "reason": $"{input.tool.name}: {key} {value} contains '..'"} if {
	some [key, value] in _paths
	is_string(value)
	contains(value, "..")
}

deny contains {"rule": "fs-outside-roots", "reason": $"{input.tool.name}: {key} {value} is outside the allowed directories"} if {
	some [key, value] in _paths
	is_string(value)
	startswith(value, "/")
	not contains(value, "..")
	not _allowed(value)
}

# search_files matches a glob relative to `path`; a ".." in it could reach above `path`.
deny contains {"rule": "fs-dot-dot", "reason": $"{input.tool.name}: pattern {pattern} contains '..'"} if {
	_call
	input.tool.name == "search_files"
	pattern := input.tool.arguments.pattern
	is_string(pattern)
	contains(pattern, "..")
}

_allowed(path) if {
	segments := _segments(path)
	some root in _roots
	count(segments) >= count(root)
	array.slice(segments, 0, count(root)) == root
}

labels contains "fs-boundary" if {
	some reason in deny
	startswith(reason.rule, "fs-")
}
