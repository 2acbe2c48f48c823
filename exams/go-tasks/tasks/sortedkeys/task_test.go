package sortedkeys_test

import (
	"cmp"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"gotasks/sortedkeys"
)

type Ages map[string]int

func TestKeysInts(t *testing.T) {
	m := map[int]bool{}
	var want []int
	for i := -20; i < 40; i += 3 {
		m[i] = true
		want = append(want, i)
	}
	if got := sortedkeys.Keys(m); !reflect.DeepEqual(got, want) {
		t.Errorf("Keys = %v, want %v", got, want)
	}
	if got := sortedkeys.Keys(map[float64]int{2.5: 1, -1: 2, 0: 3}); !reflect.DeepEqual(got, []float64{-1, 0, 2.5}) {
		t.Errorf("Keys(float64 keys) = %v, want [-1 0 2.5]", got)
	}
}

func TestKeysStrings(t *testing.T) {
	m := Ages{"bob": 30, "Alice": 25, "alice": 40, "Bob": 1, "carol": 2, "": 0, "élodie": 3, "zed": 9}
	want := []string{"", "Alice", "Bob", "alice", "bob", "carol", "zed", "élodie"}
	if got := sortedkeys.Keys(m); !reflect.DeepEqual(got, want) {
		t.Errorf("Keys = %q, want %q", got, want)
	}
}

func TestEmpty(t *testing.T) {
	var nilMap map[string]int
	if got := sortedkeys.Keys(nilMap); len(got) != 0 {
		t.Errorf("Keys(nil) = %v", got)
	}
	if got := sortedkeys.ValuesByKey(Ages{}); len(got) != 0 {
		t.Errorf("ValuesByKey({}) = %v", got)
	}
	if got := sortedkeys.KeysFunc(nilMap, strings.Compare); len(got) != 0 {
		t.Errorf("KeysFunc(nil) = %v", got)
	}
	if got := sortedkeys.ByValue(nilMap); len(got) != 0 {
		t.Errorf("ByValue(nil) = %v", got)
	}
}

func TestValuesByKey(t *testing.T) {
	m := map[string]int{}
	var want []int
	for i := 0; i < 20; i++ {
		k := fmt.Sprintf("k%02d", i)
		m[k] = (i * 7) % 20 // values are a permutation of the keys' order
		want = append(want, (i*7)%20)
	}
	if got := sortedkeys.ValuesByKey(m); !reflect.DeepEqual(got, want) {
		t.Errorf("ValuesByKey = %v, want %v", got, want)
	}
}

func byLength(a, b string) int { return cmp.Compare(len(a), len(b)) }

func TestKeysFunc(t *testing.T) {
	m := map[string]int{"ccc": 1, "a": 2, "bb": 3, "dddd": 4}
	if got := sortedkeys.KeysFunc(m, byLength); !reflect.DeepEqual(got, []string{"a", "bb", "ccc", "dddd"}) {
		t.Errorf("KeysFunc(byLength) = %q", got)
	}
	desc := func(a, b int) int { return cmp.Compare(b, a) }
	if got := sortedkeys.KeysFunc(map[int]string{1: "", 5: "", 3: ""}, desc); !reflect.DeepEqual(got, []int{5, 3, 1}) {
		t.Errorf("KeysFunc(descending) = %v, want [5 3 1]", got)
	}
}

func TestKeysFuncTies(t *testing.T) {
	m := map[string]bool{}
	var want []string
	for n := 1; n <= 3; n++ {
		for c := 'a'; c <= 'l'; c++ {
			k := strings.Repeat(string(c), n)
			m[k] = true
			want = append(want, k)
		}
	}
	if got := sortedkeys.KeysFunc(m, byLength); !reflect.DeepEqual(got, want) {
		t.Errorf("KeysFunc(byLength) = %q\nwant %q", got, want)
	}
}

func TestByValue(t *testing.T) {
	m := Ages{"ann": 31, "bo": 12, "cy": 45, "di": 27}
	if got := sortedkeys.ByValue(m); !reflect.DeepEqual(got, []string{"cy", "ann", "di", "bo"}) {
		t.Errorf("ByValue = %q, want [cy ann di bo]", got)
	}
	f := map[int]float64{1: 0.5, 2: -1, 3: 2.25}
	if got := sortedkeys.ByValue(f); !reflect.DeepEqual(got, []int{3, 1, 2}) {
		t.Errorf("ByValue = %v, want [3 1 2]", got)
	}
}

func TestByValueTies(t *testing.T) {
	m := map[string]int{}
	var want []string
	for v := 3; v >= 1; v-- {
		for i := 0; i < 12; i++ {
			k := fmt.Sprintf("%c%d", 'a'+i, v)
			m[k] = v
		}
	}
	for v := 3; v >= 1; v-- {
		for i := 0; i < 12; i++ {
			want = append(want, fmt.Sprintf("%c%d", 'a'+i, v))
		}
	}
	if got := sortedkeys.ByValue(m); !reflect.DeepEqual(got, want) {
		t.Errorf("ByValue = %q\nwant %q", got, want)
	}
}
