# hide-tools: keep tools out of the model's sight, and out of its reach.
#
# Intent: a tool the model cannot see is a tool it will not think of using. This policy removes
# entries from `tools/list` responses (server to client) when
#   - the tool's name is in data.hidden_tools (e.g. server-everything's "get-env"), or
#   - its description or title matches one of data.hidden_description_patterns (RE2 regexes,
#     e.g. anything that mentions the "environment": tools that dump environment variables tend
#     to leak API keys and tokens).
# km removes the entries from the listing before the client sees it (`hide`); everything else in
# the listing is forwarded unchanged.
#
# Hiding is not access control: a client (or a model prompted with a tool name) can call a tool
# that was never listed. So calls to hidden tools are also denied (rule "hidden-tool"). For the
# description patterns the call is matched against `input.tool.definition`, which km keeps from
# the server's listing even when the tool was hidden from the client. A tool the server never
# listed has no definition, so only the name list can deny it: put tools you know about in
# hidden_tools rather than relying on the patterns alone.
package kilometers

import rego.v1

_hidden_names := {name | some name in data.hidden_tools}

_patterns := {p | some p in data.hidden_description_patterns}

# Whether a tool definition (an entry of a tools/list result) is to be hidden.
_hidden(tool) if tool.name in _hidden_names

_hidden(tool) if {
	some field in ["description", "title"]
	text := tool[field]
	is_string(text)
	some pattern in _patterns
	regex.match(pattern, text)
}

# Hide only names that the listing holds, so that a listing with nothing to hide is allowed
# (and recorded as "allow") rather than "transform". A listing fetched page by page (cursor) is
# filtered page by page.
hide contains tool.name if {
	input.kind == "response"
	input.method == "tools/list"
	some tool in input.message.result.tools
	_hidden(tool)
}

deny contains {"rule": "hidden-tool", "reason": $"tool {input.tool.name} is not available"} if {
	input.kind == "request"
	input.method == "tools/call"
	_hidden_call
}

_hidden_call if input.tool.name in _hidden_names

_hidden_call if _hidden(input.tool.definition)

labels contains "hidden-tool" if {
	input.kind == "request"
	input.method == "tools/call"
	_hidden_call
}
