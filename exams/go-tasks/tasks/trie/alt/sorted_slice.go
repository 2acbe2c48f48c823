package trie

import (
	"sort"
	"strings"
)

// Trie keeps its words in one sorted slice; lookups are binary searches.
type Trie struct {
	words []string
}

// New returns an empty trie.
func New() *Trie { return &Trie{} }

// Insert adds word at its sorted position.
func (t *Trie) Insert(word string) bool {
	i := sort.SearchStrings(t.words, word)
	if i < len(t.words) && t.words[i] == word {
		return false
	}
	t.words = append(t.words, "")
	copy(t.words[i+1:], t.words[i:])
	t.words[i] = word
	return true
}

// Contains reports whether word was inserted.
func (t *Trie) Contains(word string) bool {
	i := sort.SearchStrings(t.words, word)
	return i < len(t.words) && t.words[i] == word
}

// Len returns the number of distinct words.
func (t *Trie) Len() int { return len(t.words) }

// WithPrefix returns the contiguous run of words that start with prefix.
func (t *Trie) WithPrefix(prefix string) []string {
	i := sort.SearchStrings(t.words, prefix)
	j := i
	for j < len(t.words) && strings.HasPrefix(t.words[j], prefix) {
		j++
	}
	return append([]string{}, t.words[i:j]...)
}
