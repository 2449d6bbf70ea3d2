package kilometers_test

import rego.v1

# Minimal input documents (v1) for the tests; cases.json holds complete, realistic ones.

_session := {
	"id": "7d3f0e7c-1111-4a2b-9c3d-000000000001",
	"server": {"name": "server-everything", "command": ["npx", "-y", "@modelcontextprotocol/server-everything"]},
	"client": {},
}

_stats := {"tools": {}, "calls": 0, "last_minute": 0}

_call(name, args) := {
	"version": 1,
	"direction": "client_to_server",
	"kind": "request",
	"method": "tools/call",
	"id": "5",
	"message": {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": name, "arguments": args}},
	"tool": {"name": name, "arguments": args},
	"session": _session,
	"stats": _stats,
	"mode": "enforce",
}

_call_response(name) := {
	"version": 1,
	"direction": "server_to_client",
	"kind": "response",
	"method": "tools/call",
	"id": "5",
	"message": {"jsonrpc": "2.0", "id": 5, "result": {"content": [{"type": "text", "text": "done"}]}},
	"tool": {"name": name},
	"request": {"method": "tools/call", "id": "5", "tool": name, "seq": 9, "latency_ms": 1.5},
	"session": _session,
	"stats": _stats,
	"mode": "enforce",
}

_list_response(names) := {
	"version": 1,
	"direction": "server_to_client",
	"kind": "response",
	"method": "tools/list",
	"id": "1",
	"message": {"jsonrpc": "2.0", "id": 1, "result": {"tools": [{"name": n, "inputSchema": {"type": "object"}} | some n in names]}},
	"request": {"method": "tools/list", "id": "1", "seq": 3, "latency_ms": 2.1},
	"session": _session,
	"stats": _stats,
	"mode": "enforce",
}

_batch(calls) := {
	"version": 1,
	"direction": "client_to_server",
	"kind": "batch",
	"message": [{"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": {"name": name, "arguments": {}}} |
		some i, name in calls
	],
	"session": _session,
	"stats": _stats,
	"mode": "enforce",
}

test_blocked_tool_is_denied_with_its_rule_id if {
	d := data.kilometers.decision with input as _call("get-env", {})
	d.action == "deny"
	d.deny == [{"rule": "blocked-tool", "reason": "tool get-env is blocked by policy"}]
	d.labels == ["blocked-tool"]
}

test_every_listed_tool_is_denied if {
	every name in ["get-env", "delete_file", "move_file", "execute_command"] {
		data.kilometers.decision.action == "deny" with input as _call(name, {"path": "/tmp/x"})
	}
}

test_other_tool_is_allowed if {
	d := data.kilometers.decision with input as _call("echo", {"message": "hi"})
	d.action == "allow"
	d.deny == []
	d.labels == []
}

test_matching_is_exact_and_case_sensitive if {
	data.kilometers.decision.action == "allow" with input as _call("Get-Env", {})
	data.kilometers.decision.action == "allow" with input as _call("get-env-2", {})
}

test_the_list_comes_from_data if {
	d := data.kilometers.decision with input as _call("echo", {"message": "hi"})
		with data.blocked_tools as ["echo"]
	d.action == "deny"
	data.kilometers.decision.action == "allow" with input as _call("get-env", {})
		with data.blocked_tools as ["echo"]
}

test_no_data_blocks_nothing if {
	data.kilometers.decision.action == "allow" with input as _call("get-env", {})
		with data.blocked_tools as []
}

test_response_to_a_blocked_tool_is_not_denied if {
	# Only requests are denied; the answer to a call that was let through (e.g. in audit mode)
	# is forwarded.
	data.kilometers.decision.action == "allow" with input as _call_response("get-env")
}

test_blocked_tools_are_hidden_from_the_listing if {
	d := data.kilometers.decision with input as _list_response(["echo", "get-env", "get-sum", "move_file"])
	d.action == "transform"
	d.hide == ["get-env", "move_file"]
}

test_listing_without_blocked_tools_is_untouched if {
	d := data.kilometers.decision with input as _list_response(["echo", "get-sum"])
	d.action == "allow"
	d.hide == []
}

test_batch_with_a_blocked_call_is_denied if {
	d := data.kilometers.decision with input as _batch(["echo", "get-env"])
	d.action == "deny"
	d.deny == [{"rule": "blocked-tool", "reason": "batch calls blocked tool get-env"}]
}

test_batch_without_blocked_calls_is_allowed if {
	data.kilometers.decision.action == "allow" with input as _batch(["echo", "get-sum"])
}
