package kilometers_test

import rego.v1

_session := {
	"id": "7d3f0e7c-1111-4a2b-9c3d-000000000004",
	"server": {"name": "server-filesystem", "command": ["npx", "-y", "@modelcontextprotocol/server-filesystem", "/srv"]},
	"client": {},
}

_stats := {"tools": {}, "calls": 0, "last_minute": 0}

_message(name, args) := {"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": name, "arguments": args}}

_call(name, args) := {
	"version": 1,
	"direction": "client_to_server",
	"kind": "request",
	"method": "tools/call",
	"id": "9",
	"message": _message(name, args),
	"tool": {"name": name, "arguments": args},
	"session": _session,
	"stats": _stats,
	"mode": "enforce",
}

_with_schema(doc, properties) := object.union(doc, {"tool": {"definition": {
	"name": doc.tool.name,
	"inputSchema": {"type": "object", "properties": properties},
}}})

_edit := _call("edit_file", {"path": "/srv/a.txt", "edits": [{"oldText": "a", "newText": "b"}]})

test_edit_file_gets_dry_run if {
	d := data.kilometers.decision with input as _edit
	d.action == "transform"
	d.patch == [{"op": "add", "path": "/params/arguments/dryRun", "value": true}]
	d.labels == ["dry-run-forced"]
}

test_dry_run_false_is_overridden if {
	d := data.kilometers.decision with input as _call("edit_file", {"path": "/srv/a.txt", "edits": [], "dryRun": false})
	d.patch == [{"op": "add", "path": "/params/arguments/dryRun", "value": true}]
}

test_dry_run_already_true_changes_nothing if {
	d := data.kilometers.decision with input as _call("edit_file", {"path": "/srv/a.txt", "edits": [], "dryRun": true})
	d.action == "allow"
	d.patch == []
	d.labels == []
}

test_schema_with_dry_run_property_is_enough if {
	d := data.kilometers.decision with input as _with_schema(_call("sync_bucket", {"bucket": "b"}), {"bucket": {"type": "string"}, "dry_run": {"type": "boolean"}})
	d.patch == [{"op": "add", "path": "/params/arguments/dry_run", "value": true}]
}

test_tool_without_dry_run_is_untouched if {
	d := data.kilometers.decision with input as _with_schema(_call("write_file", {"path": "/srv/a", "content": "x"}), {"path": {}, "content": {}})
	d.action == "allow"
}

test_call_without_arguments_gets_an_arguments_object if {
	inp := object.remove(_call("deploy_service", {}), ["tool"])
	no_args := object.union(inp, {
		"message": {"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": "deploy_service"}},
		"tool": {"name": "deploy_service"},
	})
	d := data.kilometers.decision with input as no_args
	d.patch == [{"op": "add", "path": "/params/arguments", "value": {"dry_run": true}}]
}

test_responses_are_never_patched if {
	resp := {
		"version": 1,
		"direction": "server_to_client",
		"kind": "response",
		"method": "tools/call",
		"id": "9",
		"message": {"jsonrpc": "2.0", "id": 9, "result": {"content": [{"type": "text", "text": "diff"}]}},
		"tool": {"name": "edit_file"},
		"request": {"method": "tools/call", "id": "9", "tool": "edit_file", "seq": 2, "latency_ms": 3},
		"session": _session,
		"stats": _stats,
		"mode": "enforce",
	}
	data.kilometers.decision.action == "allow" with input as resp
}

_kubectl(args) := _call("kubectl", {"args": args})

test_kubectl_mutation_gets_dry_run_appended if {
	d := data.kilometers.decision with input as _kubectl(["delete", "pod", "web-0", "-n", "prod"])
	d.patch == [{"op": "add", "path": "/params/arguments/args/-", "value": "--dry-run=server"}]
}

test_kubectl_dry_run_goes_before_double_dash if {
	d := data.kilometers.decision with input as _kubectl(["run", "debug", "--image=busybox", "--", "sh", "-c", "echo"])
	d.patch == [{"op": "add", "path": "/params/arguments/args/3", "value": "--dry-run=server"}]
}

test_kubectl_dry_run_none_is_replaced if {
	d := data.kilometers.decision with input as _kubectl(["apply", "--dry-run=none", "-f", "deploy.yaml"])
	d.patch == [{"op": "replace", "path": "/params/arguments/args/1", "value": "--dry-run=server"}]
}

test_kubectl_existing_dry_run_is_kept if {
	data.kilometers.decision.action == "allow" with input as _kubectl(["apply", "--dry-run=client", "-f", "x.yaml"])
}

test_kubectl_reads_are_untouched if {
	data.kilometers.decision.action == "allow" with input as _kubectl(["get", "pods", "-A"])

	# "delete" after "--" is the container's command, not kubectl's subcommand.
	data.kilometers.decision.action == "allow" with input as _kubectl(["exec", "web-0", "--", "delete"])
}

test_other_tools_with_args_are_untouched if {
	data.kilometers.decision.action == "allow" with input as _call("helm", {"args": ["delete", "x"]})
}
