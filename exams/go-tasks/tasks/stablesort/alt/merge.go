package stablesort

import (
	"cmp"
	"slices"
)

// Person is a name and an age.
type Person struct {
	Name string
	Age  int
}

// SortByAge is a hand-written top-down merge sort, stable because a tie takes the left run.
func SortByAge(people []Person) {
	if len(people) < 2 {
		return
	}
	mid := len(people) / 2
	SortByAge(people[:mid])
	SortByAge(people[mid:])
	merged := make([]Person, 0, len(people))
	i, j := 0, mid
	for i < mid && j < len(people) {
		if people[j].Age < people[i].Age {
			merged = append(merged, people[j])
			j++
		} else {
			merged = append(merged, people[i])
			i++
		}
	}
	merged = append(merged, people[i:mid]...)
	merged = append(merged, people[j:]...)
	copy(people, merged)
}

// Oldest sorts indices with an unstable sort and an explicit index tie-break.
func Oldest(people []Person, k int) []string {
	idx := make([]int, len(people))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		return cmp.Or(cmp.Compare(people[b].Age, people[a].Age), cmp.Compare(a, b))
	})
	names := []string{}
	for _, i := range idx {
		if len(names) >= k {
			break
		}
		names = append(names, people[i].Name)
	}
	return names
}
