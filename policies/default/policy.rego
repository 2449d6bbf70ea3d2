# km's default policy: allow everything, and label and score what tools do, so that the audit
# log (and the dashboard) can tell a shell command or an infrastructure change from a read.
# Used when km runs without --policy. Rules contribute to `labels` and `risk` only.
package kilometers

import rego.v1

_call if {
	input.kind == "request"
	input.method == "tools/call"
}

_name := lower(input.tool.name)

_args := json.marshal(object.get(input.tool, "arguments", {}))

_description := lower(object.get(object.get(input.tool, "definition", {}), "description", ""))

# Shell and command execution.
labels contains "shell" if {
	_call
	regex.match(`(^|[_.-])(exec|execute|shell|bash|sh|cmd|command|run_command|terminal|powershell|run)($|[_.-])`, _name)
}

risk contains 8 if labels["shell"]

# Writing, moving and deleting files.
labels contains "file-write" if {
	_call
	regex.match(`(write|edit|create|append|save|upload|move|rename|copy|mkdir|create_directory)`, _name)
}

risk contains 5 if labels["file-write"]

labels contains "file-delete" if {
	_call
	regex.match(`(delete|remove|unlink|rmdir|erase|purge|^rm$|_rm$)`, _name)
}

risk contains 7 if labels["file-delete"]

# Network access: fetching URLs or browsing.
labels contains "network" if {
	_call
	regex.match(`(fetch|http|curl|wget|download|browse|navigate|request|web_?search|scrape)`, _name)
}

labels contains "network" if {
	_call
	regex.match(`https?://`, _args)
}

risk contains 4 if labels["network"]

# Kubernetes and infrastructure changes.
labels contains "infra" if {
	_call
	regex.match(`(kubectl|k8s|kubernetes|helm|terraform|pulumi|ansible|cloudformation|deploy|scale|rollout|apply)`, _name)
}

labels contains "infra" if {
	_call
	regex.match(`(kubectl|helm|terraform)\s+(apply|delete|destroy|scale|rollout|upgrade|install|uninstall|patch|replace)`, _args)
}

risk contains 8 if labels["infra"]

# Anything whose definition says it is destructive.
labels contains "destructive" if {
	_call
	input.tool.definition.annotations.destructiveHint == true
}

labels contains "destructive" if {
	_call
	regex.match(`(destructive|irreversible|permanently)`, _description)
}

risk contains 7 if labels["destructive"]
