package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"
	"unicode"
)

func main() {
	counts := map[string]int{}
	scanner := bufio.NewScanner(os.Stdin)
	for scanner.Scan() {
		words := strings.FieldsFunc(strings.ToLower(scanner.Text()), func(r rune) bool { return !unicode.IsLetter(r) })
		for _, w := range words {
			counts[w]++
		}
	}
	if err := scanner.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	sort.Slice(words, func(i, j int) bool {
		if counts[words[i]] != counts[words[j]] {
			return counts[words[i]] > counts[words[j]]
		}
		return words[i] < words[j]
	})
	if len(words) > 10 {
		words = words[:10]
	}
	for _, w := range words {
		fmt.Printf("%s: %d\n", w, counts[w])
	}
}
