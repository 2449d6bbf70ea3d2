# approve-destructive: a human approves destructive commands before they run.
#
# Intent: an agent with a shell (or a database, or kubectl) can destroy data in one call. Most
# commands are fine; a few are irreversible. This policy asks for approval (`ask`) when a tool
# call carries a command that matches a known destructive form:
#   rm -r/-f, mkfs/wipefs, dd ... of=, kubectl delete, terraform/tofu destroy,
#   git push --force, git reset --hard, DROP TABLE/DATABASE/SCHEMA, TRUNCATE TABLE,
#   DELETE FROM without a WHERE clause.
# Each form has its own rule id ("destructive-rm", "destructive-sql-drop"...), so the audit log
# and the approver see exactly which pattern fired. km holds the call and asks a person, in the
# dashboard (`km ui`) or in the MCP client (elicitation); without an answer within the approval
# timeout (45 s by default; see `approval_timeout` below) the call is denied.
#
# Which calls are inspected: the policy does not rely on tool names (servers call their shell
# tool "run_command", "execute", "bash", "shell"...). It looks at the arguments instead:
#   - command-like string arguments: command, cmd, script, commandLine, command_line;
#   - argv-style arrays: `command: ["rm", "-rf", "x"]`, or `command: "rm", args: ["-rf", "x"]`,
#     or only `args` (e.g. a tool named "kubectl" taking `args: ["delete", "pod", "x"]`: the
#     tool's name is put in front, giving "kubectl delete pod x");
#   - SQL arguments: sql and statement on any tool, and query on tools whose name says they
#     are a database (a web search for "drop table syntax" is not a database change).
# Shell commands are also checked against the SQL forms (psql -c "DROP TABLE ...").
# Calls inside a JSON-RPC batch are inspected the same way.
#
# Limits (a security engineer should read these): pattern matching is a tripwire, not a
# sandbox. Encoded or indirect commands (`echo cm0gLXJmIC8= | base64 -d | sh`, a script file
# written first and run later, aliases) are not recognised. Pair this policy with a
# least-privilege environment for the server.
package kilometers

import rego.v1

# Destructive forms: id -> what it is, and an RE2 pattern. `(^|[^\w-])` before a command name
# matches the start of the text or a separator (space, ;, &, |, (, /, quote), so that
# "/bin/rm -rf" and "sudo rm -rf" match but "docker run --rm -f" and "farm -f" do not.
# `[^;&|]*` keeps a match within one command of a pipeline.
_shell_forms := {
	"rm": {
		"what": "recursive or forced rm",
		"pattern": `(^|[^\w-])rm\s+([^;&|]*\s)?(-[a-zA-Z]*[rRf]|--recursive|--force)`,
	},
	"mkfs": {
		"what": "filesystem format or wipe",
		"pattern": `(^|[^\w-])(mkfs(\.\w+)?|mke2fs|wipefs)\s`,
	},
	"dd": {
		"what": "dd writing to a file or device",
		"pattern": `(^|[^\w-])dd\s([^;&|]*\s)?of=`,
	},
	"kubectl-delete": {
		"what": "kubectl delete",
		"pattern": `(^|[^\w-])kubectl\s([^;&|]*\s)?delete(\s|$)`,
	},
	"terraform-destroy": {
		"what": "terraform destroy",
		"pattern": `(^|[^\w-])(terraform|tofu)\s([^;&|]*\s)?(destroy(\s|$)|apply\s([^;&|]*\s)?-destroy(\s|$))`,
	},
	"git-force-push": {
		"what": "git push --force",
		"pattern": `(^|[^\w-])git\s([^;&|]*\s)?push\s([^;&|]*\s)?(--force|-f(\s|$)|\+\S)`,
	},
	"git-reset-hard": {
		"what": "git reset --hard",
		"pattern": `(^|[^\w-])git\s([^;&|]*\s)?reset\s([^;&|]*\s)?--hard`,
	},
}

_sql_forms := {
	"sql-drop": {
		"what": "SQL DROP/TRUNCATE",
		"pattern": `(?i)\b(drop\s+(table|database|schema)|truncate\s+table)\b`,
	},
	"sql-delete-all": {
		"what": "SQL DELETE without WHERE",
		"pattern": `(?i)\bdelete\s+from\s+[\w."]+\s*(;|$)`,
	},
}

# The tool calls this message makes: one for a tools/call request, each call of a batch.
_calls contains {"name": input.tool.name, "arguments": object.get(input.tool, "arguments", {})} if {
	input.kind == "request"
	input.method == "tools/call"
}

_calls contains {"name": item.params.name, "arguments": object.get(item.params, "arguments", {})} if {
	input.kind == "batch"
	some item in input.message
	item.method == "tools/call"
	is_string(item.params.name)
}

_command_keys := {"command", "cmd", "script", "commandLine", "command_line"}

_all_strings(list) if {
	is_array(list)
	every x in list {
		is_string(x)
	}
}

# Shell command texts, as [tool name, text].
_shell_texts contains [call.name, text] if {
	some call in _calls
	some key in _command_keys
	text := call.arguments[key]
	is_string(text)
}

_shell_texts contains [call.name, concat(" ", argv)] if {
	some call in _calls
	some key in _command_keys
	argv := call.arguments[key]
	_all_strings(argv)
}

_shell_texts contains [call.name, concat(" ", array.concat([call.arguments.command], call.arguments.args))] if {
	some call in _calls
	is_string(call.arguments.command)
	_all_strings(call.arguments.args)
}

_shell_texts contains [call.name, concat(" ", array.concat([call.name], call.arguments.args))] if {
	some call in _calls
	not call.arguments.command
	_all_strings(call.arguments.args)
}

# SQL texts, as [tool name, text].
_sql_texts contains [call.name, text] if {
	some call in _calls
	some key in ["sql", "statement"]
	text := call.arguments[key]
	is_string(text)
}

_sql_texts contains [call.name, text] if {
	some call in _calls
	regex.match(`(?i)(sql|postgres|mysql|maria|sqlite|database|(^|[_.-])db($|[_.-])|bigquery|snowflake|redshift|clickhouse)`, call.name)
	text := call.arguments.query
	is_string(text)
}

# A reason stays readable even for a long script.
_shown(text) := text if count(text) <= 160

_shown(text) := concat("", [substring(text, 0, 160), "..."]) if count(text) > 160

ask contains {"rule": $"destructive-{id}", "reason": $"{form.what} in {name}: {_shown(text)}"} if {
	some [name, text] in _shell_texts
	some id, form in object.union(_shell_forms, _sql_forms)
	regex.match(form.pattern, text)
}

ask contains {"rule": $"destructive-{id}", "reason": $"{form.what} in {name}: {_shown(text)}"} if {
	some [name, text] in _sql_texts
	some id, form in _sql_forms
	regex.match(form.pattern, text)
}

# Recorded in the audit log whatever the approver decides (and in audit mode).
labels contains "destructive" if count(ask) > 0

risk contains 90 if count(ask) > 0

# Infrastructure changes get longer to think about than km's default (seconds; the shortest
# value any rule gives wins). Keep it under the client's own request timeout (60 s for most).
approval_timeout contains 55 if {
	some r in ask
	startswith(r.rule, "destructive-kubectl")
}

# The server's own annotation is informative only: server-filesystem marks write_file and
# edit_file destructive, and asking for every write would train people to click "approve".
risk contains 50 if {
	input.kind == "request"
	input.method == "tools/call"
	input.tool.definition.annotations.destructiveHint == true
}
