// The command lines km passes, parsed strictly: each command takes its own few flags, in the
// opa CLI's spelling (`-t wasm`, `--target=wasm`), and anything else is a usage error rather than
// a silently different build.
package main

import (
	"fmt"
	"strings"
)

// flagSpec says whether a flag (by every spelling) takes a value.
type flagSpec struct {
	names    []string
	hasValue bool
}

// parsed is a command line: the value of each flag given (by its first name), and the other
// arguments in order.
type parsed struct {
	values map[string]string
	set    map[string]bool
	args   []string
}

func parseFlags(command string, argv []string, specs []flagSpec) (parsed, error) {
	p := parsed{values: map[string]string{}, set: map[string]bool{}}
	find := func(name string) (flagSpec, bool) {
		for _, s := range specs {
			for _, n := range s.names {
				if n == name {
					return s, true
				}
			}
		}
		return flagSpec{}, false
	}
	for i := 0; i < len(argv); i++ {
		arg := argv[i]
		if arg == "--" {
			p.args = append(p.args, argv[i+1:]...)
			break
		}
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			p.args = append(p.args, arg)
			continue
		}
		name, value, hasInline := strings.Cut(arg, "=")
		spec, ok := find(name)
		if !ok {
			return p, usageError{fmt.Sprintf("%s: unknown flag %s", command, name)}
		}
		key := spec.names[0]
		if p.set[key] {
			return p, usageError{fmt.Sprintf("%s: flag %s given twice", command, name)}
		}
		p.set[key] = true
		switch {
		case !spec.hasValue && hasInline:
			if value != "true" {
				return p, usageError{fmt.Sprintf("%s: flag %s takes no value", command, name)}
			}
		case spec.hasValue && hasInline:
			p.values[key] = value
		case spec.hasValue:
			if i+1 >= len(argv) {
				return p, usageError{fmt.Sprintf("%s: flag %s needs a value", command, name)}
			}
			i++
			p.values[key] = argv[i]
		}
	}
	return p, nil
}
