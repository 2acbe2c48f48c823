package toposort

import (
	"container/heap"
	"slices"
	"strings"
)

// CycleError names one cycle of the graph.
type CycleError struct {
	Cycle []string
}

func (e *CycleError) Error() string {
	return "cycle: " + strings.Join(append(slices.Clone(e.Cycle), e.Cycle[0]), " -> ")
}

// names is a min-heap of strings.
type names []string

func (h names) Len() int           { return len(h) }
func (h names) Less(i, j int) bool { return h[i] < h[j] }
func (h names) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *names) Push(x any)        { *h = append(*h, x.(string)) }
func (h *names) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Sort is Kahn's algorithm with a min-heap of the nodes whose dependencies are all placed.
func Sort(graph map[string][]string) ([]string, error) {
	deps := map[string]map[string]bool{} // node -> its distinct dependencies
	dependents := map[string][]string{}
	for node, list := range graph {
		if deps[node] == nil {
			deps[node] = map[string]bool{}
		}
		for _, d := range list {
			if deps[d] == nil {
				deps[d] = map[string]bool{}
			}
			if !deps[node][d] {
				deps[node][d] = true
				dependents[d] = append(dependents[d], node)
			}
		}
	}
	waiting := map[string]int{}
	ready := &names{}
	for node, ds := range deps {
		waiting[node] = len(ds)
		if len(ds) == 0 {
			heap.Push(ready, node)
		}
	}
	order := []string{}
	for ready.Len() > 0 {
		node := heap.Pop(ready).(string)
		order = append(order, node)
		for _, n := range dependents[node] {
			if waiting[n]--; waiting[n] == 0 {
				heap.Push(ready, n)
			}
		}
	}
	if len(order) < len(deps) {
		return nil, &CycleError{Cycle: findCycle(deps, waiting)}
	}
	return order, nil
}

// findCycle walks from a node left waiting along dependencies also left waiting: every such node
// has one, so the walk must come back to a node it has seen, closing a cycle.
func findCycle(deps map[string]map[string]bool, waiting map[string]int) []string {
	var start string
	for node, n := range waiting {
		if n > 0 && (start == "" || node < start) {
			start = node
		}
	}
	seen := map[string]int{}
	var path []string
	for node := start; ; {
		if i, ok := seen[node]; ok {
			return path[i:]
		}
		seen[node] = len(path)
		path = append(path, node)
		next := ""
		for d := range deps[node] {
			if waiting[d] > 0 && (next == "" || d < next) {
				next = d
			}
		}
		node = next
	}
}
