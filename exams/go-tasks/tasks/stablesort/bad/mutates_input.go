package stablesort

import "sort"

// Person is a name and an age.
type Person struct {
	Name string
	Age  int
}

// SortByAge sorts people by age, youngest first, keeping the order of equal ages.
func SortByAge(people []Person) {
	sort.SliceStable(people, func(i, j int) bool { return people[i].Age < people[j].Age })
}

// Oldest returns the names of the k oldest people, oldest first, ties in input order.
func Oldest(people []Person, k int) []string {
	sorted := people
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Age > sorted[j].Age })
	k = min(max(k, 0), len(sorted))
	names := make([]string, 0, k)
	for _, p := range sorted[:k] {
		names = append(names, p.Name)
	}
	return names
}
