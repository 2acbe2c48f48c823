package intervaltree

import (
	"cmp"
	"errors"
	"slices"
)

type Interval struct {
	Lo, Hi int
	ID     string
}

var (
	ErrInvalid   = errors.New("intervaltree: Lo > Hi")
	ErrDuplicate = errors.New("intervaltree: duplicate ID")
)

// Tree keeps its intervals in one slice sorted by (Lo, Hi, ID).
type Tree struct {
	ivs []Interval
	ids map[string]bool
}

func New() *Tree { return &Tree{ids: make(map[string]bool)} }

func order(a, b Interval) int {
	if c := cmp.Compare(a.Lo, b.Lo); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Hi, b.Hi); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

func (t *Tree) Insert(iv Interval) error {
	switch {
	case iv.Lo > iv.Hi:
		return ErrInvalid
	case t.ids[iv.ID]:
		return ErrDuplicate
	}
	i, _ := slices.BinarySearchFunc(t.ivs, iv, order)
	t.ivs = slices.Insert(t.ivs, i, iv)
	t.ids[iv.ID] = true
	return nil
}

func (t *Tree) Remove(id string) bool {
	if !t.ids[id] {
		return false
	}
	delete(t.ids, id)
	t.ivs = slices.DeleteFunc(t.ivs, func(iv Interval) bool { return iv.ID == id })
	return true
}

func (t *Tree) Len() int { return len(t.ivs) }

func (t *Tree) Stab(p int) []Interval { return t.Overlapping(p, p) }

func (t *Tree) Overlapping(lo, hi int) []Interval {
	end, _ := slices.BinarySearchFunc(t.ivs, hi+1, func(iv Interval, lo int) int { return cmp.Compare(iv.Lo, lo) })
	out := []Interval{}
	for _, iv := range t.ivs[:end] {
		if iv.Hi >= lo {
			out = append(out, iv)
		}
	}
	return out
}
