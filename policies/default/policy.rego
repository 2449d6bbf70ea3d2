# km's default policy: allow everything, and label and score what tools do, so that the audit
# log (and the dashboard) can tell a shell command or an infrastructure change from a read.
# Used when km runs without --policy. Rules contribute to `labels` and `risk` only.
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

# The risk of each label; the framework takes the highest.
_risk_of := {"shell": 8, "file-write": 5, "file-delete": 7, "network": 4, "infra": 8, "destructive": 7}

risk contains _risk_of[label] if some label in labels
