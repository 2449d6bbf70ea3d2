package kilometers_test

import rego.v1

_session := {
	"id": "7d3f0e7c-1111-4a2b-9c3d-000000000002",
	"server": {"name": "server-everything", "command": ["npx", "-y", "@modelcontextprotocol/server-everything"]},
	"client": {},
}

_stats := {"tools": {}, "calls": 0, "last_minute": 0}

_listing(tools) := {
	"version": 1,
	"direction": "server_to_client",
	"kind": "response",
	"method": "tools/list",
	"id": "1",
	"message": {"jsonrpc": "2.0", "id": 1, "result": {"tools": tools}},
	"request": {"method": "tools/list", "id": "1", "seq": 3, "latency_ms": 2.1},
	"session": _session,
	"stats": _stats,
	"mode": "enforce",
}

_call(name, definition) := {
	"version": 1,
	"direction": "client_to_server",
	"kind": "request",
	"method": "tools/call",
	"id": "6",
	"message": {"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {"name": name, "arguments": {}}},
	"tool": object.union({"name": name, "arguments": {}}, definition),
	"session": _session,
	"stats": _stats,
	"mode": "enforce",
}

_tool(name, description) := {"name": name, "description": description, "inputSchema": {"type": "object"}}

_get_env := _tool("get-env", "Returns all environment variables, helpful for debugging MCP server configuration")

_echo := _tool("echo", "Echoes back the input string")

_printenv := _tool("printenv", "Print the process ENVIRONMENT")

_vault := {"name": "vault_read", "title": "Read credentials from Vault", "inputSchema": {"type": "object"}}

test_listed_name_and_matching_descriptions_are_hidden if {
	d := data.kilometers.decision with input as _listing([_echo, _get_env, _printenv, _vault])
	d.action == "transform"
	d.hide == ["get-env", "printenv", "vault_read"]
	d.deny == []
}

test_listing_with_nothing_to_hide_is_allowed if {
	d := data.kilometers.decision with input as _listing([_echo])
	d.action == "allow"
	d.hide == []
}

test_patterns_match_words_not_substrings if {
	# "\benvironment\b" does not match "environments_config" (no word boundary after "environment").
	d := data.kilometers.decision with input as _listing([_tool("cfg", "Reads environments_config.yaml")])
	d.hide == []
}

test_tool_without_description_is_judged_by_name if {
	d := data.kilometers.decision with input as _listing([{"name": "get-env", "inputSchema": {}}, {"name": "x", "inputSchema": {}}])
	d.hide == ["get-env"]
}

test_only_tools_list_responses_are_filtered if {
	# The same result shape on a prompts/list response is left alone.
	listing := _listing([_get_env])
	inp := object.union(listing, {"method": "prompts/list", "request": {"method": "prompts/list"}})
	data.kilometers.decision.action == "allow" with input as inp
}

test_calling_a_hidden_name_is_denied_even_without_definition if {
	d := data.kilometers.decision with input as _call("get-env", {})
	d.action == "deny"
	d.deny == [{"rule": "hidden-tool", "reason": "tool get-env is not available"}]
	d.labels == ["hidden-tool"]
}

test_calling_a_tool_hidden_by_description_is_denied if {
	d := data.kilometers.decision with input as _call("printenv", {"definition": _printenv})
	d.action == "deny"
	d.deny == [{"rule": "hidden-tool", "reason": "tool printenv is not available"}]
}

test_calling_a_visible_tool_is_allowed if {
	d := data.kilometers.decision with input as _call("echo", {"definition": _echo})
	d.action == "allow"
	d.labels == []
}

test_lists_come_from_data if {
	d := data.kilometers.decision with input as _listing([_echo, _get_env])
		with data.hidden_tools as ["echo"]
		with data.hidden_description_patterns as []
	d.hide == ["echo"]
}
