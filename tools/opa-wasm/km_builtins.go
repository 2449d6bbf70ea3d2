// km's own built-ins (src/policy/wasm/builtins.ts), declared as policies/capabilities.json
// declares them, so that `test` and `eval` type-check policies that call them. km supplies their
// implementation when it evaluates a compiled policy. Here, in OPA's interpreter, a call halts
// the evaluation with a message saying so (an ordinary built-in error would only make the
// expression undefined): a test mocks them with `with` (docs/policy.md, "Built-ins km adds").
package main

import (
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/types"
)

func init() {
	registerHostOnly(&ast.Builtin{
		Name:             "km.fs.realpath",
		Decl:             types.NewFunction(types.Args(types.S), types.S),
		Nondeterministic: true,
	}, "reads this machine's files")
	registerHostOnly(&ast.Builtin{
		Name:             "km.fs.lstat",
		Decl:             types.NewFunction(types.Args(types.S), types.NewObject(nil, types.NewDynamicProperty(types.S, types.A))),
		Nondeterministic: true,
	}, "reads this machine's files")
}

// registerHostOnly declares a built-in that only km's evaluation of a compiled policy can run.
func registerHostOnly(builtin *ast.Builtin, what string) {
	ast.RegisterBuiltin(builtin)
	topdown.RegisterBuiltinFunc(builtin.Name, func(topdown.BuiltinContext, []*ast.Term, func(*ast.Term) error) error {
		return topdown.Halt{Err: fmt.Errorf("%s %s, which only km does when it runs the compiled "+
			"policy: in a test, mock it (`with %s as ...`)", builtin.Name, what, builtin.Name)}
	})
}
