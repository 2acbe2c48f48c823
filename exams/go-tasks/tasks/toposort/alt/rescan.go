package toposort

import (
	"fmt"
	"slices"
	"strings"
)

type CycleError struct {
	Cycle []string
}

func (e *CycleError) Error() string {
	var b strings.Builder
	b.WriteString("cycle:")
	for _, n := range e.Cycle {
		fmt.Fprintf(&b, " %s ->", n)
	}
	b.WriteString(" " + e.Cycle[0])
	return b.String()
}

// Sort places, at each step, the first node in sorted order whose dependencies are all placed.
func Sort(graph map[string][]string) ([]string, error) {
	all := map[string]bool{}
	for node, deps := range graph {
		all[node] = true
		for _, d := range deps {
			all[d] = true
		}
	}
	pending := slices.Sorted(func(yield func(string) bool) {
		for n := range all {
			if !yield(n) {
				return
			}
		}
	})
	placed := map[string]bool{}
	order := make([]string, 0, len(pending))
	for len(pending) > 0 {
		i := slices.IndexFunc(pending, func(n string) bool {
			return !slices.ContainsFunc(graph[n], func(d string) bool { return !placed[d] })
		})
		if i < 0 {
			return nil, &CycleError{Cycle: cycleFrom(graph, pending)}
		}
		placed[pending[i]] = true
		order = append(order, pending[i])
		pending = slices.Delete(pending, i, i+1)
	}
	return order, nil
}

// cycleFrom runs a depth-first search with three colours over the nodes; the first edge to a
// node still on the stack (grey) closes a cycle.
func cycleFrom(graph map[string][]string, nodes []string) []string {
	const (
		white = iota
		grey
		black
	)
	colour := map[string]int{}
	var stack []string
	var visit func(n string) []string
	visit = func(n string) []string {
		colour[n] = grey
		stack = append(stack, n)
		for _, d := range graph[n] {
			switch colour[d] {
			case grey:
				return slices.Clone(stack[slices.Index(stack, d):])
			case white:
				if c := visit(d); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		colour[n] = black
		return nil
	}
	for _, n := range nodes {
		if colour[n] == white {
			if c := visit(n); c != nil {
				return c
			}
		}
	}
	return nil
}
