# km's default policy: allow everything, and label and score what tools do, so that the audit
# log (and the dashboard) can tell a shell command or an infrastructure change from a read.
# Used when km runs without --policy. Rules contribute to `labels` and `risk`, except for a
# tool whose definition changed since it was pinned in a way that adds risky content (an
# instruction to the model, hidden characters, a secret...: src/pins/detectors.ts): its calls
# are asked about (denied when no one can be asked), and lists mark it for the model.
#
# It runs on every tools/call, so it is written to be cheap: every rule hangs off `_call` (only
# tools/call requests get further), tool names are matched with one regex per label, arguments
# and descriptions with plain substring checks where a regex is not needed, and the risk of a
# call is one rule over its labels rather than one rule per label (each rule costs time).
package kilometers

import rego.v1

_call if {
	input.kind == "request"
	input.method == "tools/call"
}

_name := lower(input.tool.name) if _call

_args := json.marshal(object.get(input.tool, "arguments", {})) if _call

# Shell and command execution.
_shell if regex.match(`(^|[_.-])(exec|execute|shell|bash|sh|cmd|command|run_command|terminal|powershell|run)($|[_.-])`, _name)

labels contains "shell" if _shell

# Writing, moving and deleting files.
labels contains "file-write" if regex.match(`(write|edit|create|append|save|upload|move|rename|copy|mkdir|create_directory)`, _name)

labels contains "file-delete" if regex.match(`(delete|remove|unlink|rmdir|erase|purge|^rm$|_rm$)`, _name)

# Network access: fetching URLs or browsing, or a URL among the arguments.
labels contains "network" if regex.match(`(fetch|http|curl|wget|download|browse|navigate|request|web_?search|scrape)`, _name)

labels contains "network" if {
	some scheme in ["http://", "https://"]
	contains(_args, scheme)
}

# Kubernetes and infrastructure changes, by tool name or by the command a shell tool runs.
labels contains "infra" if regex.match(`(kubectl|k8s|kubernetes|helm|terraform|pulumi|ansible|cloudformation|deploy|scale|rollout|apply)`, _name)

labels contains "infra" if {
	_shell
	regex.match(`(kubectl|helm|terraform)\s+(apply|delete|destroy|scale|rollout|upgrade|install|uninstall|patch|replace)`, _args)
}

# Anything whose definition says it is destructive.
labels contains "destructive" if {
	_call
	input.tool.definition.annotations.destructiveHint == true
}

labels contains "destructive" if {
	_call
	description := lower(object.get(input.tool.definition, "description", ""))
	some word in ["destructive", "irreversible", "permanently"]
	contains(description, word)
}

# A tool whose definition changed since it was pinned (docs/policy.md, "Pins"): a harmless
# edit (nothing added by the detectors) passes, labelled; one that adds labels is asked about.
_pin_added := input.tool.pin.added_labels if {
	_call
	input.tool.pin.status == "changed"
}

labels contains "pin-changed" if _pin_added

labels contains "pin-risky" if count(_pin_added) > 0

ask contains {"rule": "pin-changed-risky", "reason": reason} if {
	count(_pin_added) > 0
	added := concat(", ", _pin_added)
	reason := $"tool {input.tool.name} changed since it was pinned, adding {added}: review it with km pins diff, keep it with km pins accept"
}

# A listing (tools, prompts, resource templates) marks each entry whose change adds labels, in
# the description the model reads: "[km: changed since pinned: model_instruction] ...".
_list_member := {"tools": "tools", "prompts": "prompts", "resource_templates": "resourceTemplates"}

_risky_listed[name] := item if {
	input.kind == "response"
	some name, item in input.pins.items
	item.status == "changed"
	count(item.added_labels) > 0
}

patch contains {"op": "add", "path": path, "value": value} if {
	some item in _risky_listed
	path := concat("/", ["", "result", _list_member[input.pins.kind], format_int(item.index, 10), "description"])
	marker := concat("", ["[km: changed since pinned: ", concat(", ", item.added_labels), "]"])
	value := concat(" ", array.concat([marker], [d | d := item.description]))
}

labels contains "pin-changed" if {
	input.kind == "response"
	some item in input.pins.items
	item.status == "changed"
}

labels contains "pin-risky" if count(_risky_listed) > 0

# The risk of each label; the framework takes the highest.
_risk_of := {
	"shell": 8, "file-write": 5, "file-delete": 7, "network": 4, "infra": 8, "destructive": 7,
	"pin-changed": 3, "pin-risky": 8,
}

risk contains _risk_of[label] if some label in labels
