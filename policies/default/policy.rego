# km's default policy: allow everything, and label and score what tools do, so that the audit
# log (and the dashboard) can tell a shell command or an infrastructure change from a read.
# Used when km runs without --policy. Rules contribute to `labels` and `risk` only.
#
# It runs on every message, so it is written to be cheap: everything hangs off `_call` (only
# tools/call requests get further), tool names are matched with one regex per label, and
# arguments and descriptions with plain substring checks where a regex is not needed.
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

# Writing, moving and deleting files.
_file_write if regex.match(`(write|edit|create|append|save|upload|move|rename|copy|mkdir|create_directory)`, _name)

_file_delete if regex.match(`(delete|remove|unlink|rmdir|erase|purge|^rm$|_rm$)`, _name)

# Network access: fetching URLs or browsing, or a URL among the arguments.
_network if regex.match(`(fetch|http|curl|wget|download|browse|navigate|request|web_?search|scrape)`, _name)

_network if {
	_call
	some scheme in ["http://", "https://"]
	contains(_args, scheme)
}

# Kubernetes and infrastructure changes, by tool name or by the command a shell tool runs.
_infra if regex.match(`(kubectl|k8s|kubernetes|helm|terraform|pulumi|ansible|cloudformation|deploy|scale|rollout|apply)`, _name)

_infra if {
	_shell
	regex.match(`(kubectl|helm|terraform)\s+(apply|delete|destroy|scale|rollout|upgrade|install|uninstall|patch|replace)`, _args)
}

# Anything whose definition says it is destructive.
_destructive if {
	_call
	input.tool.definition.annotations.destructiveHint == true
}

_destructive if {
	_call
	description := lower(object.get(input.tool.definition, "description", ""))
	some word in ["destructive", "irreversible", "permanently"]
	contains(description, word)
}

labels contains "shell" if _shell

labels contains "file-write" if _file_write

labels contains "file-delete" if _file_delete

labels contains "network" if _network

labels contains "infra" if _infra

labels contains "destructive" if _destructive

risk contains 8 if _shell

risk contains 5 if _file_write

risk contains 7 if _file_delete

risk contains 4 if _network

risk contains 8 if _infra

risk contains 7 if _destructive
