package intervaltree

import (
	"cmp"
	"errors"
)

// Interval is the closed range [Lo, Hi].
type Interval struct {
	Lo, Hi int
	ID     string
}

var (
	ErrInvalid   = errors.New("intervaltree: Lo > Hi")
	ErrDuplicate = errors.New("intervaltree: duplicate ID")
)

type node struct {
	iv          Interval
	maxHi       int // the largest Hi in this subtree
	left, right *node
}

// Tree is a binary search tree ordered by (Lo, Hi, ID), each node keeping its subtree's
// largest Hi.
type Tree struct {
	root *node
	byID map[string]Interval
}

// New returns an empty tree.
func New() *Tree { return &Tree{byID: map[string]Interval{}} }

func compare(a, b Interval) int {
	return cmp.Or(cmp.Compare(a.Lo, b.Lo), cmp.Compare(a.Hi, b.Hi), cmp.Compare(a.ID, b.ID))
}

func (n *node) fix() *node {
	n.maxHi = n.iv.Hi
	for _, c := range []*node{n.left, n.right} {
		if c != nil && c.maxHi > n.maxHi {
			n.maxHi = c.maxHi
		}
	}
	return n
}

func insert(n *node, iv Interval) *node {
	if n == nil {
		return &node{iv: iv, maxHi: iv.Hi}
	}
	if compare(iv, n.iv) < 0 {
		n.left = insert(n.left, iv)
	} else {
		n.right = insert(n.right, iv)
	}
	return n
}

func remove(n *node, iv Interval) *node {
	switch c := compare(iv, n.iv); {
	case c < 0:
		n.left = remove(n.left, iv)
	case c > 0:
		n.right = remove(n.right, iv)
	case n.left == nil:
		return n.right
	case n.right == nil:
		return n.left
	default:
		next := n.right
		for next.left != nil {
			next = next.left
		}
		n.iv = next.iv
		n.right = remove(n.right, next.iv)
	}
	return n.fix()
}

// Insert adds iv.
func (t *Tree) Insert(iv Interval) error {
	if iv.Lo > iv.Hi {
		return ErrInvalid
	}
	if _, ok := t.byID[iv.ID]; ok {
		return ErrDuplicate
	}
	t.byID[iv.ID] = iv
	t.root = insert(t.root, iv)
	return nil
}

// Remove deletes the interval with this ID.
func (t *Tree) Remove(id string) bool {
	iv, ok := t.byID[id]
	if ok {
		delete(t.byID, id)
		t.root = remove(t.root, iv)
	}
	return ok
}

// Len returns the number of intervals.
func (t *Tree) Len() int { return len(t.byID) }

// Stab returns the intervals that contain p.
func (t *Tree) Stab(p int) []Interval { return t.Overlapping(p, p) }

// Overlapping returns the intervals sharing an integer with [lo, hi], in tree order.
func (t *Tree) Overlapping(lo, hi int) []Interval {
	var out []Interval
	var walk func(n *node)
	walk = func(n *node) {
		if n == nil || n.maxHi < lo {
			return // nothing here ends at or after lo
		}
		walk(n.left)
		if n.iv.Lo > hi {
			return // this node and everything to its right start after hi
		}
		if n.iv.Hi >= lo {
			out = append(out, n.iv)
		}
		walk(n.right)
	}
	walk(t.root)
	return out
}
