package intervaltree_test

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"gotasks/intervaltree"
)

type iv = intervaltree.Interval

func build(t *testing.T, ivs ...iv) *intervaltree.Tree {
	t.Helper()
	tree := intervaltree.New()
	for _, x := range ivs {
		if err := tree.Insert(x); err != nil {
			t.Fatalf("Insert(%v): %v", x, err)
		}
	}
	return tree
}

func ids(ivs []iv) []string {
	out := []string{}
	for _, x := range ivs {
		out = append(out, x.ID)
	}
	return out
}

func TestInsertAndLen(t *testing.T) {
	tree := build(t, iv{1, 5, "a"}, iv{3, 3, "point"}, iv{1, 5, "a2"})
	if tree.Len() != 3 {
		t.Errorf("Len() = %d, want 3", tree.Len())
	}
	if err := tree.Insert(iv{6, 2, "bad"}); !errors.Is(err, intervaltree.ErrInvalid) {
		t.Errorf("Insert([6, 2]) = %v, want ErrInvalid", err)
	}
	if err := tree.Insert(iv{7, 9, "a"}); !errors.Is(err, intervaltree.ErrDuplicate) {
		t.Errorf("Insert with a used ID = %v, want ErrDuplicate", err)
	}
	if tree.Len() != 3 || len(tree.Stab(8)) != 0 || len(tree.Stab(4)) != 2 {
		t.Errorf("a refused Insert changed the tree: Len() = %d, Stab(8) = %v", tree.Len(), tree.Stab(8))
	}
}

func TestStab(t *testing.T) {
	tree := build(t, iv{1, 4, "a"}, iv{4, 8, "b"}, iv{10, 10, "c"}, iv{-5, 0, "d"}, iv{2, 3, "e"})
	for _, c := range []struct {
		p    int
		want []string
	}{
		{4, []string{"a", "b"}}, {1, []string{"a"}}, {0, []string{"d"}}, {-5, []string{"d"}},
		{10, []string{"c"}}, {9, []string{}}, {11, []string{}}, {-6, []string{}}, {3, []string{"a", "e"}},
	} {
		if got := ids(tree.Stab(c.p)); !slices.Equal(got, c.want) {
			t.Errorf("Stab(%d) = %v, want %v", c.p, got, c.want)
		}
	}
}

func TestOverlapping(t *testing.T) {
	tree := build(t, iv{1, 3, "a"}, iv{5, 8, "b"}, iv{10, 20, "c"}, iv{12, 13, "d"})
	for _, c := range []struct {
		lo, hi int
		want   []string
	}{
		{3, 5, []string{"a", "b"}}, {4, 4, []string{}}, {8, 10, []string{"b", "c"}}, {14, 30, []string{"c"}},
		{0, 100, []string{"a", "b", "c", "d"}}, {-10, 0, []string{}}, {21, 25, []string{}}, {13, 13, []string{"c", "d"}},
	} {
		if got := ids(tree.Overlapping(c.lo, c.hi)); !slices.Equal(got, c.want) {
			t.Errorf("Overlapping(%d, %d) = %v, want %v", c.lo, c.hi, got, c.want)
		}
	}
}

func TestOrder(t *testing.T) {
	tree := build(t, iv{2, 9, "z"}, iv{2, 5, "y"}, iv{1, 9, "x"}, iv{2, 5, "b"}, iv{2, 9, "a"}, iv{0, 9, "w"})
	want := []string{"w", "x", "b", "y", "a", "z"}
	if got := ids(tree.Stab(5)); !slices.Equal(got, want) {
		t.Errorf("Stab(5) = %v, want %v (by Lo, then Hi, then ID)", got, want)
	}
}

func TestRemove(t *testing.T) {
	tree := build(t, iv{1, 10, "a"}, iv{2, 3, "b"}, iv{5, 6, "c"}, iv{0, 1, "d"}, iv{7, 12, "e"})
	if !tree.Remove("a") || tree.Remove("a") || tree.Remove("nope") {
		t.Fatalf("Remove(a), Remove(a) again, Remove(nope): want true, false, false")
	}
	if got := ids(tree.Overlapping(0, 100)); !slices.Equal(got, []string{"d", "b", "c", "e"}) || tree.Len() != 4 {
		t.Errorf("after Remove(a): Overlapping = %v, Len = %d; want [d b c e], 4", got, tree.Len())
	}
	if got := ids(tree.Stab(9)); !slices.Equal(got, []string{"e"}) {
		t.Errorf("after Remove(a): Stab(9) = %v, want [e]", got)
	}
	if err := tree.Insert(iv{8, 9, "a"}); err != nil {
		t.Fatalf("re-Insert of a removed ID: %v", err)
	}
	if got := ids(tree.Stab(9)); !slices.Equal(got, []string{"e", "a"}) {
		t.Errorf("Stab(9) = %v, want [e a]", got)
	}
}

func TestLongIntervalDeepInTree(t *testing.T) {
	tree := intervaltree.New()
	for i := 0; i < 50; i++ {
		tree.Insert(iv{i * 10, i*10 + 1, fmt.Sprintf("s%02d", i)})
	}
	tree.Insert(iv{5, 1000, "long"})
	tree.Insert(iv{-20, -10, "left"})
	if got := ids(tree.Stab(995)); !slices.Equal(got, []string{"long"}) {
		t.Errorf("Stab(995) = %v, want [long]", got)
	}
	if got := ids(tree.Overlapping(602, 605)); !slices.Equal(got, []string{"long"}) {
		t.Errorf("Overlapping(602, 605) = %v, want [long]", got)
	}
	if got := ids(tree.Overlapping(490, 492)); !slices.Equal(got, []string{"long", "s49"}) {
		t.Errorf("Overlapping(490, 492) = %v, want [long s49]", got)
	}
}

// TestRandomAgainstScan compares the tree with a plain list over a fixed pseudo-random sequence
// of inserts, removals and queries.
func TestRandomAgainstScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 7))
	tree := intervaltree.New()
	var all []iv
	sorted := func(xs []iv) []iv {
		return slices.SortedFunc(slices.Values(xs), func(a, b iv) int {
			return cmp.Or(cmp.Compare(a.Lo, b.Lo), cmp.Compare(a.Hi, b.Hi), cmp.Compare(a.ID, b.ID))
		})
	}
	for step := 0; step < 3000; step++ {
		switch op := rng.IntN(10); {
		case op < 5 || len(all) == 0:
			lo := rng.IntN(200) - 100
			x := iv{lo, lo + rng.IntN(rng.IntN(60)+1), fmt.Sprintf("i%d", step)}
			if err := tree.Insert(x); err != nil {
				t.Fatalf("step %d: Insert(%v): %v", step, x, err)
			}
			all = append(all, x)
		case op < 7:
			k := rng.IntN(len(all))
			if !tree.Remove(all[k].ID) {
				t.Fatalf("step %d: Remove(%s) = false for a present ID", step, all[k].ID)
			}
			all = slices.Delete(all, k, k+1)
		default:
			lo := rng.IntN(240) - 120
			hi := lo + rng.IntN(20)
			var want []iv
			for _, x := range all {
				if x.Lo <= hi && x.Hi >= lo {
					want = append(want, x)
				}
			}
			if got := tree.Overlapping(lo, hi); !slices.Equal(ids(got), ids(sorted(want))) {
				t.Fatalf("step %d: Overlapping(%d, %d) = %v, want %v", step, lo, hi, ids(got), ids(sorted(want)))
			}
		}
		if tree.Len() != len(all) {
			t.Fatalf("step %d: Len() = %d, want %d", step, tree.Len(), len(all))
		}
	}
}
