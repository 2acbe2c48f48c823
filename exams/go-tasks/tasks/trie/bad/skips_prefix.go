package trie

import (
	"slices"
	"strings"
)

type node struct {
	children map[rune]*node
	word     bool
}

// Trie is a prefix tree keyed by rune.
type Trie struct {
	root node
	n    int
}

// New returns an empty trie.
func New() *Trie { return &Trie{} }

// Insert adds word and reports whether it was new.
func (t *Trie) Insert(word string) bool {
	n := &t.root
	for _, r := range word {
		if n.children == nil {
			n.children = map[rune]*node{}
		}
		next, ok := n.children[r]
		if !ok {
			next = &node{}
			n.children[r] = next
		}
		n = next
	}
	if n.word {
		return false
	}
	n.word = true
	t.n++
	return true
}

func (t *Trie) find(prefix string) *node {
	n := &t.root
	for _, r := range prefix {
		if n = n.children[r]; n == nil {
			return nil
		}
	}
	return n
}

// Contains reports whether word was inserted.
func (t *Trie) Contains(word string) bool {
	n := t.find(word)
	return n != nil && n.word
}

// Len returns the number of distinct words.
func (t *Trie) Len() int { return t.n }

// WithPrefix returns the words starting with prefix in ascending order.
func (t *Trie) WithPrefix(prefix string) []string {
	out := []string{}
	n := t.find(prefix)
	if n == nil {
		return out
	}
	var b strings.Builder
	b.WriteString(prefix)
	var walk func(n *node)
	walk = func(n *node) {
		if n.word && b.Len() > len(prefix) {
			out = append(out, b.String())
		}
		keys := make([]rune, 0, len(n.children))
		for r := range n.children {
			keys = append(keys, r)
		}
		slices.Sort(keys)
		for _, r := range keys {
			s := b.String()
			b.WriteRune(r)
			walk(n.children[r])
			b.Reset()
			b.WriteString(s)
		}
	}
	walk(n)
	return out
}
