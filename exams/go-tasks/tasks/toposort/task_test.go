package toposort_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gotasks/toposort"
)

func checkOrder(t *testing.T, graph map[string][]string, want []string) {
	t.Helper()
	got, err := toposort.Sort(graph)
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("Sort(%v) = %q, %v; want %q, nil", graph, got, err, want)
	}
}

func TestChain(t *testing.T) {
	checkOrder(t, map[string][]string{"c": {"b"}, "b": {"a"}, "a": nil}, []string{"a", "b", "c"})
	checkOrder(t, map[string][]string{"deploy": {"test"}, "test": {"build"}, "build": {"fetch"}}, []string{"fetch", "build", "test", "deploy"})
}

func TestSmallestFirst(t *testing.T) {
	graph := map[string][]string{}
	for _, n := range []string{"k", "d", "a", "j", "f", "b", "l", "c", "h", "e", "i", "g"} {
		graph[n] = nil
	}
	checkOrder(t, graph, []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"})
	checkOrder(t, map[string][]string{"d": {"b", "c"}, "c": {"a"}, "b": {"a"}}, []string{"a", "b", "c", "d"})
}

func TestSmallestReadyFirst(t *testing.T) {
	// a becomes ready once b is placed, and a < c: ready nodes compete across "levels".
	checkOrder(t, map[string][]string{"a": {"b"}, "b": nil, "c": nil}, []string{"b", "a", "c"})
	checkOrder(t, map[string][]string{"x2": {"x1"}, "x1": nil, "y": nil, "x3": {"x2"}}, []string{"x1", "x2", "x3", "y"})
}

func TestDependencyOnlyNodes(t *testing.T) {
	checkOrder(t, map[string][]string{"app": {"log", "lib"}}, []string{"lib", "log", "app"})
}

func TestEmpty(t *testing.T) {
	for _, graph := range []map[string][]string{nil, {}} {
		got, err := toposort.Sort(graph)
		if err != nil || len(got) != 0 {
			t.Errorf("Sort(%v) = %q, %v; want an empty slice, nil", graph, got, err)
		}
	}
}

func TestDuplicateDependencies(t *testing.T) {
	checkOrder(t, map[string][]string{"b": {"a", "a"}, "c": {"b", "a", "b"}}, []string{"a", "b", "c"})
}

func TestLeavesInput(t *testing.T) {
	graph := map[string][]string{"c": {"b", "a"}, "b": {"a"}}
	before := map[string][]string{"c": {"b", "a"}, "b": {"a"}}
	toposort.Sort(graph)
	if !reflect.DeepEqual(graph, before) {
		t.Errorf("Sort changed its input: %v, was %v", graph, before)
	}
}

// checkCycle asserts that Sort fails with a *CycleError naming a cycle made of nodes in allowed.
func checkCycle(t *testing.T, graph map[string][]string, allowed ...string) *toposort.CycleError {
	t.Helper()
	order, err := toposort.Sort(graph)
	var cycle *toposort.CycleError
	if !errors.As(err, &cycle) || order != nil {
		t.Fatalf("Sort(%v) = %q, %v; want nil, a *CycleError", graph, order, err)
	}
	c := cycle.Cycle
	if len(c) == 0 || len(c) != len(slices.Compact(slices.Sorted(slices.Values(c)))) {
		t.Fatalf("Cycle %q: want one or more distinct nodes", c)
	}
	for i, n := range c {
		next := c[(i+1)%len(c)]
		if !slices.Contains(allowed, n) || !slices.Contains(graph[n], next) {
			t.Errorf("Cycle %q: %s -> %s is not a dependency on the cycle of %v", c, n, next, allowed)
		}
	}
	return cycle
}

func TestCycle(t *testing.T) {
	checkCycle(t, map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": nil}, "a", "b", "c")
	checkCycle(t, map[string][]string{"a": {"a"}}, "a")
}

func TestCycleBehindAcyclicPart(t *testing.T) {
	graph := map[string][]string{"x": nil, "y": {"x", "q"}, "q": {"r"}, "r": {"q", "x"}, "z": {"y"}}
	cycle := checkCycle(t, graph, "q", "r")
	if len(cycle.Cycle) != 2 {
		t.Errorf("Cycle %q: want the two nodes q and r", cycle.Cycle)
	}
}

func TestCycleMessage(t *testing.T) {
	cycle := checkCycle(t, map[string][]string{"m": {"n"}, "n": {"o"}, "o": {"m"}}, "m", "n", "o")
	want := "cycle: " + strings.Join(append(slices.Clone(cycle.Cycle), cycle.Cycle[0]), " -> ")
	if got := cycle.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e := &toposort.CycleError{Cycle: []string{"a", "b"}}
	if got := e.Error(); got != "cycle: a -> b -> a" {
		t.Errorf("CycleError{[a b]}.Error() = %q, want \"cycle: a -> b -> a\"", got)
	}
}
