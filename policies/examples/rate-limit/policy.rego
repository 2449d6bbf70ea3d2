# rate-limit: cap how often each tool can be called, per minute and per session.
#
# Intent: an agent stuck in a loop, or one steered by a prompt injection, can hammer a tool:
# run up API costs, scrape a data source, brute-force a login, fill a disk. This policy denies a
# tools/call request when the tool has already been called its limit of times in the last 60
# seconds (rule "rate-limit-tool"), or when all tools together have (rule "rate-limit-session").
# The denied call gets a JSON-RPC error naming the limit; the client may retry later.
#
# Limits come from data.rate_limits:
#   default_per_minute   for any tool without its own limit (no default: no per-tool limit);
#   tools_per_minute     per tool name; 0 blocks the tool outright;
#   session_per_minute   all tools together (absent: no session limit).
#
# How km counts (input.stats, see docs/policy.md): counts are taken *before* the current call,
# so with a limit of N the (N+1)th call within a minute is denied: `last_minute >= N`. Only calls
# that were forwarded count, so denied calls do not extend the penalty; the window slides, so
# calls are allowed again as soon as older ones are more than a minute old. The counts are per
# km session (one server process), not per user or across sessions.
#
# A JSON-RPC batch is evaluated as a whole, before any of its calls is counted, so a batch of 50
# calls would slip under a per-call check. Batches are therefore checked by adding their calls
# to the counts (rule "rate-limit-batch").
package kilometers

import rego.v1

# The limit for a tool: its own, else the default. Undefined when neither exists (no limit).
_tool_limit(name) := data.rate_limits.tools_per_minute[name]

_tool_limit(name) := data.rate_limits.default_per_minute if not _has_own_limit(name)

_has_own_limit(name) if _ = data.rate_limits.tools_per_minute[name]

_recent(name) := object.get(input.stats.tools, [name, "last_minute"], 0)

deny contains {"rule": "rate-limit-tool", "reason": reason} if {
	input.kind == "request"
	input.method == "tools/call"
	limit := _tool_limit(input.tool.name)
	_recent(input.tool.name) >= limit
	reason := _tool_reason(input.tool.name, limit)
}

_tool_reason(name, 0) := $"tool {name} is disabled (limit 0 calls a minute)"

_tool_reason(name, limit) := $"tool {name}: limit of {limit} calls a minute reached" if limit > 0

deny contains {"rule": "rate-limit-session", "reason": $"limit of {limit} tool calls a minute reached for this session"} if {
	input.kind == "request"
	input.method == "tools/call"
	limit := data.rate_limits.session_per_minute
	input.stats.last_minute >= limit
}

# Batches: the calls in the batch, per tool name.
_batch_calls[name] := n if {
	input.kind == "batch"
	some item in input.message
	item.method == "tools/call"
	name := item.params.name
	is_string(name)
	n := count([i | some i in input.message; i.method == "tools/call"; i.params.name == name])
}

deny contains {"rule": "rate-limit-batch", "reason": $"batch calls {name} {n} times: over its limit of {limit} calls a minute"} if {
	some name, n in _batch_calls
	limit := _tool_limit(name)
	_recent(name) + n > limit
}

deny contains {"rule": "rate-limit-batch", "reason": $"batch of {n} tool calls: over the session limit of {limit} calls a minute"} if {
	input.kind == "batch"
	n := sum([n | some _, n in _batch_calls])
	limit := data.rate_limits.session_per_minute
	input.stats.last_minute + n > limit
}

labels contains "rate-limited" if {
	some reason in deny
	startswith(reason.rule, "rate-limit-")
}
