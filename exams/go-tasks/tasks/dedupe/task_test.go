package dedupe_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"gotasks/dedupe"
)

func TestDedupeSmall(t *testing.T) {
	if got := dedupe.Dedupe([]int{3, 3, 3}); !reflect.DeepEqual(got, []int{3}) {
		t.Errorf("Dedupe([3 3 3]) = %v", got)
	}
	if got := dedupe.Dedupe([]string(nil)); len(got) != 0 {
		t.Errorf("Dedupe(nil) = %v, want empty", got)
	}
	if got := dedupe.Dedupe([]string{"a"}); !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("Dedupe([a]) = %v", got)
	}
}

func TestDedupeOrder(t *testing.T) {
	in := []string{"pear", "apple", "pear", "fig", "kiwi", "apple", "lime", "date", "fig", "plum", "sloe", "yuzu"}
	want := []string{"pear", "apple", "fig", "kiwi", "lime", "date", "plum", "sloe", "yuzu"}
	if got := dedupe.Dedupe(in); !reflect.DeepEqual(got, want) {
		t.Errorf("Dedupe(%v) = %v, want %v", in, got, want)
	}
	type point struct{ X, Y int }
	pts := []point{{1, 2}, {0, 0}, {1, 2}, {5, 5}, {0, 0}, {9, 1}, {2, 8}, {7, 7}, {3, 3}, {4, 4}}
	wantPts := []point{{1, 2}, {0, 0}, {5, 5}, {9, 1}, {2, 8}, {7, 7}, {3, 3}, {4, 4}}
	if got := dedupe.Dedupe(pts); !reflect.DeepEqual(got, wantPts) {
		t.Errorf("Dedupe(points) = %v, want %v", got, wantPts)
	}
}

func TestDedupeLeavesInput(t *testing.T) {
	in := []int{1, 1, 2, 2, 3, 1}
	before := slices.Clone(in)
	dedupe.Dedupe(in)
	if !reflect.DeepEqual(in, before) {
		t.Errorf("Dedupe modified its input: %v, was %v", in, before)
	}
}

func TestCountBy(t *testing.T) {
	keys, counts := dedupe.CountBy([]string{"ab", "cd", "ef"}, func(s string) int { return len(s) })
	if !reflect.DeepEqual(keys, []int{2}) || !reflect.DeepEqual(counts, []int{3}) {
		t.Errorf("CountBy by length = %v %v, want [2] [3]", keys, counts)
	}
	keys, counts = dedupe.CountBy([]int(nil), func(i int) int { return i })
	if len(keys) != 0 || len(counts) != 0 {
		t.Errorf("CountBy(nil) = %v %v, want empty", keys, counts)
	}
}

func TestCountByOrder(t *testing.T) {
	words := strings.Fields("Go is fun and go is fast so Go it is and zig ran to mars yet we stay")
	keys, counts := dedupe.CountBy(words, strings.ToLower)
	wantKeys := []string{"go", "is", "fun", "and", "fast", "so", "it", "zig", "ran", "to", "mars", "yet", "we", "stay"}
	wantCounts := []int{3, 3, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	if !reflect.DeepEqual(keys, wantKeys) || !reflect.DeepEqual(counts, wantCounts) {
		t.Errorf("CountBy = %v %v,\nwant %v %v", keys, counts, wantKeys, wantCounts)
	}
}
