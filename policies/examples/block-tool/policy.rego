# block-tool: a deny-list of tools, kept in data (data.json beside this file).
#
# Intent: some tools are never acceptable behind this proxy, whatever the model or the user
# asks (reading the server's environment, deleting files, running arbitrary commands...).
# Every `tools/call` request for a listed tool is denied before it reaches the server: the
# client receives a JSON-RPC error (-32010, "Blocked by policy: ...") whose data names the rule
# ("blocked-tool"), and the audit log records the same rule id.
#
# The list lives in data.json, not in the code, so that it can be changed (or replaced per
# deployment with --policy-data for a compiled policy) without touching or re-reviewing the
# rules. Matching is exact and case-sensitive: MCP tool names are identifiers, and servers
# dispatch on the exact string.
#
# Defence in depth:
# - Blocked tools are also hidden from `tools/list` responses, so the model does not waste a
#   turn trying them. Hiding alone is not a control: a client can call a tool that was never
#   listed, which is why the deny stays.
# - A JSON-RPC batch (protocol 2025-03-26) is evaluated as a whole and carries no `input.tool`,
#   so the calls inside it are inspected one by one; one blocked call denies the whole batch.
package kilometers

import rego.v1

# The deny-list. Without data.json (data.blocked_tools undefined), the set is empty and nothing
# is blocked. Note: `object.get(data, "blocked_tools", [])` would not do here: it reads all of
# `data`, which includes this package's own rules, and OPA rejects the policy as recursive.
_blocked := {name | some name in data.blocked_tools}

deny contains {"rule": "blocked-tool", "reason": $"tool {input.tool.name} is blocked by policy"} if {
	input.kind == "request"
	input.method == "tools/call"
	input.tool.name in _blocked
}

deny contains {"rule": "blocked-tool", "reason": $"batch calls blocked tool {name}"} if {
	input.kind == "batch"
	some item in input.message
	item.method == "tools/call"
	name := item.params.name
	name in _blocked
}

# Only the names the listing actually holds, so a listing without any blocked tool is allowed
# unchanged (and recorded as "allow", not "transform").
hide contains tool.name if {
	input.kind == "response"
	input.method == "tools/list"
	some tool in input.message.result.tools
	tool.name in _blocked
}

labels contains "blocked-tool" if {
	some reason in deny
	reason.rule == "blocked-tool"
}
