package kilometers_test

import rego.v1

_session := {
	"id": "7d3f0e7c-1111-4a2b-9c3d-000000000006",
	"server": {"name": "server-everything", "command": ["npx", "-y", "@modelcontextprotocol/server-everything"]},
	"client": {},
}

# A call of `name` when the session's counts are `tools` ({name: last_minute}).
_call(name, tools) := {
	"version": 1,
	"direction": "client_to_server",
	"kind": "request",
	"method": "tools/call",
	"id": "40",
	"message": {"jsonrpc": "2.0", "id": 40, "method": "tools/call", "params": {"name": name, "arguments": {}}},
	"tool": {"name": name, "arguments": {}},
	"session": _session,
	"stats": {
		"tools": {t: {"calls": n + 3, "last_minute": n} | some t, n in tools},
		"calls": sum([c | some n in tools; c := n + 3]),
		"last_minute": sum([n | some n in tools]),
	},
	"mode": "enforce",
}

test_per_tool_limit_allows_up_to_the_limit if {
	# get-sum: 5 a minute. Counts are before the call: the 5th call sees 4.
	data.kilometers.decision.action == "allow" with input as _call("get-sum", {})
	data.kilometers.decision.action == "allow" with input as _call("get-sum", {"get-sum": 4})
}

test_per_tool_limit_denies_at_the_limit if {
	d := data.kilometers.decision with input as _call("get-sum", {"get-sum": 5})
	d.action == "deny"
	d.deny == [{"rule": "rate-limit-tool", "reason": "tool get-sum: limit of 5 calls a minute reached"}]
	d.labels == ["rate-limited"]
}

test_default_limit_applies_to_other_tools if {
	data.kilometers.decision.action == "allow" with input as _call("echo", {"echo": 29})
	d := data.kilometers.decision with input as _call("echo", {"echo": 30})
	d.deny == [{"rule": "rate-limit-tool", "reason": "tool echo: limit of 30 calls a minute reached"}]
}

test_other_tools_calls_do_not_count_against_a_tool if {
	data.kilometers.decision.action == "allow" with input as _call("get-sum", {"echo": 20})
}

test_limit_zero_disables_a_tool if {
	d := data.kilometers.decision with input as _call("get-env", {})
	d.deny == [{"rule": "rate-limit-tool", "reason": "tool get-env is disabled (limit 0 calls a minute)"}]
}

test_session_limit if {
	data.kilometers.decision.action == "deny" with input as _call("echo", {"get-sum": 4, "echo": 25, "get-tiny-image": 29, "write_file": 9, "x": 33})
	d := data.kilometers.decision with input as _call("echo", {"get-sum": 4, "echo": 25, "get-tiny-image": 29, "write_file": 9, "x": 33})
	d.deny == [{"rule": "rate-limit-session", "reason": "limit of 100 tool calls a minute reached for this session"}]
	data.kilometers.decision.action == "allow" with input as _call("echo", {"get-sum": 4, "echo": 25, "get-tiny-image": 29, "write_file": 9, "x": 32})
}

test_both_limits_give_two_reasons if {
	d := data.kilometers.decision with input as _call("echo", {"echo": 30, "x": 29, "y": 29, "z": 29})
	{r.rule | some r in d.deny} == {"rate-limit-tool", "rate-limit-session"}
}

test_no_limits_in_data_means_no_limit if {
	d := data.kilometers.decision with input as _call("echo", {"echo": 5000})
		with data.rate_limits as {}
	d.action == "allow"
}

test_responses_are_not_limited if {
	inp := {
		"version": 1,
		"direction": "server_to_client",
		"kind": "response",
		"method": "tools/call",
		"id": "40",
		"message": {"jsonrpc": "2.0", "id": 40, "result": {"content": []}},
		"tool": {"name": "get-env"},
		"request": {"method": "tools/call", "id": "40", "tool": "get-env", "seq": 80, "latency_ms": 1},
		"session": _session,
		"stats": {"tools": {"get-env": {"calls": 500, "last_minute": 500}}, "calls": 500, "last_minute": 500},
		"mode": "enforce",
	}
	data.kilometers.decision.action == "allow" with input as inp
}

_batch(names, tools) := object.union(object.remove(_call("x", tools), ["method", "id", "tool"]), {
	"kind": "batch",
	"message": [{"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": {"name": n, "arguments": {}}} | some i, n in names],
})

test_batch_calls_are_counted if {
	# get-sum has 3 in the last minute; 2 more reach 5 (allowed), 3 more would make 6.
	data.kilometers.decision.action == "allow" with input as _batch(["get-sum", "get-sum", "echo"], {"get-sum": 3})
	d := data.kilometers.decision with input as _batch(["get-sum", "get-sum", "get-sum"], {"get-sum": 3})
	d.deny == [{"rule": "rate-limit-batch", "reason": "batch calls get-sum 3 times: over its limit of 5 calls a minute"}]
}

test_batch_against_the_session_limit if {
	names := [n | some i in numbers.range(1, 12); n := $"tool-{i}"]
	d := data.kilometers.decision with input as _batch(names, {"a": 30, "b": 30, "c": 29})
	d.deny == [{"rule": "rate-limit-batch", "reason": "batch of 12 tool calls: over the session limit of 100 calls a minute"}]
}
