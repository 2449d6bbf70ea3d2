package kilometers_test

import rego.v1

_session := {
	"id": "7d3f0e7c-1111-4a2b-9c3d-000000000007",
	"server": {"name": "server-filesystem", "command": ["npx", "-y", "@modelcontextprotocol/server-filesystem", "/home/ana"]},
	"client": {},
}

_call(name, args) := {
	"version": 1,
	"direction": "client_to_server",
	"kind": "request",
	"method": "tools/call",
	"id": "12",
	"message": {"jsonrpc": "2.0", "id": 12, "method": "tools/call", "params": {"name": name, "arguments": args}},
	"tool": {"name": name, "arguments": args},
	"session": _session,
	"stats": {"tools": {}, "calls": 0, "last_minute": 0},
	"mode": "enforce",
}

_read(path) := _call("read_text_file", {"path": path})

test_paths_under_a_root_are_allowed if {
	every path in [
		"/home/ana/project",
		"/home/ana/project/",
		"/home/ana/project/src/main.ts",
		"/home/ana/project/./src//main.ts",
		"//home/ana/project/README.md",
		"/tmp/scratch/out.txt",
	] {
		data.kilometers.decision.action == "allow" with input as _read(path)
	}
}

test_paths_outside_the_roots_are_denied if {
	d := data.kilometers.decision with input as _read("/etc/passwd")
	d.action == "deny"
	d.deny == [{"rule": "fs-outside-roots", "reason": "read_text_file: path /etc/passwd is outside the allowed directories"}]
	d.labels == ["fs-boundary"]
}

test_a_sibling_with_the_same_prefix_is_outside if {
	data.kilometers.decision.deny == [{"rule": "fs-outside-roots", "reason": "read_text_file: path /home/ana/project-old/secrets.txt is outside the allowed directories"}] with input as _read("/home/ana/project-old/secrets.txt")
	data.kilometers.decision.action == "deny" with input as _read("/home/ana")
	data.kilometers.decision.action == "deny" with input as _read("/")
}

test_dot_dot_is_always_denied if {
	d := data.kilometers.decision with input as _read("/home/ana/project/../.ssh/id_ed25519")
	d.deny == [{"rule": "fs-dot-dot", "reason": "read_text_file: path /home/ana/project/../.ssh/id_ed25519 contains '..'"}]

	# Even where it would resolve inside a root, and even inside a name: conservative.
	data.kilometers.decision.action == "deny" with input as _read("/home/ana/project/src/../README.md")
	data.kilometers.decision.action == "deny" with input as _read("/home/ana/project/notes..md")
}

test_relative_and_home_paths_are_denied if {
	data.kilometers.decision.deny == [{"rule": "fs-relative-path", "reason": "read_text_file: path project/README.md is not an absolute path"}] with input as _read("project/README.md")
	data.kilometers.decision.deny == [{"rule": "fs-relative-path", "reason": "read_text_file: path ~/.aws/credentials is not an absolute path"}] with input as _read("~/.aws/credentials")
	data.kilometers.decision.action == "deny" with input as _read("")
}

test_non_string_paths_are_denied if {
	data.kilometers.decision.deny == [{"rule": "fs-invalid-path", "reason": "read_text_file: path is not a string"}] with input as _read(42)
	data.kilometers.decision.action == "deny" with input as _read(null)
	data.kilometers.decision.action == "deny" with input as _read(["/home/ana/project/a"])
}

test_move_file_checks_source_and_destination if {
	ok := data.kilometers.decision with input as _call("move_file", {"source": "/home/ana/project/a.md", "destination": "/tmp/scratch/a.md"})
	ok.action == "allow"
	d := data.kilometers.decision with input as _call("move_file", {"source": "/home/ana/project/a.md", "destination": "/home/ana/.bashrc"})
	d.deny == [{"rule": "fs-outside-roots", "reason": "move_file: destination /home/ana/.bashrc is outside the allowed directories"}]
}

test_read_multiple_files_checks_every_path if {
	d := data.kilometers.decision with input as _call("read_multiple_files", {"paths": ["/home/ana/project/a", "/etc/shadow", "/tmp/scratch/b"]})
	d.deny == [{"rule": "fs-outside-roots", "reason": "read_multiple_files: paths[1] /etc/shadow is outside the allowed directories"}]
	d2 := data.kilometers.decision with input as _call("read_multiple_files", {"paths": "/etc/shadow"})
	d2.deny == [{"rule": "fs-invalid-path", "reason": "read_multiple_files: paths must be a list of paths"}]
}

test_search_pattern_with_dot_dot_is_denied if {
	d := data.kilometers.decision with input as _call("search_files", {"path": "/home/ana/project", "pattern": "../../**/*.pem"})
	d.deny == [{"rule": "fs-dot-dot", "reason": "search_files: pattern ../../**/*.pem contains '..'"}]
}

test_tools_without_paths_are_allowed if {
	data.kilometers.decision.action == "allow" with input as _call("list_allowed_directories", {})
}

test_no_roots_in_data_denies_every_path if {
	d := data.kilometers.decision with input as _call("list_directory", {"path": "/home/ana/project"})
		with data.allowed_roots as []
	d.action == "deny"
}

test_root_slash_allows_every_absolute_path if {
	d := data.kilometers.decision with input as _call("list_directory", {"path": "/etc"})
		with data.allowed_roots as ["/"]
	d.action == "allow"
}

test_responses_are_not_checked if {
	resp := {
		"version": 1,
		"direction": "server_to_client",
		"kind": "response",
		"method": "tools/call",
		"id": "12",
		"message": {"jsonrpc": "2.0", "id": 12, "result": {"content": [{"type": "text", "text": "/etc/passwd"}]}},
		"tool": {"name": "search_files"},
		"request": {"method": "tools/call", "id": "12", "tool": "search_files", "seq": 4, "latency_ms": 30},
		"session": _session,
		"stats": {"tools": {"search_files": {"calls": 1, "last_minute": 1}}, "calls": 1, "last_minute": 1},
		"mode": "enforce",
	}
	data.kilometers.decision.action == "allow" with input as resp
}
