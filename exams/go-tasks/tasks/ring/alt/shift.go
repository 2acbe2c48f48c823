package ring

// Ring keeps the latest values in a slice that grows to size and then shifts left on each
// Push (no modular indices).
type Ring[T any] struct {
	size int
	vals []T
}

// New returns an empty ring of the given size.
func New[T any](size int) *Ring[T] { return &Ring[T]{size: size, vals: make([]T, 0, size)} }

// Push appends v, dropping the oldest value when full.
func (r *Ring[T]) Push(v T) {
	if len(r.vals) < r.size {
		r.vals = append(r.vals, v)
		return
	}
	copy(r.vals, r.vals[1:])
	r.vals[len(r.vals)-1] = v
}

// Len returns the number of values held.
func (r *Ring[T]) Len() int { return len(r.vals) }

// Values returns a copy of the values, oldest first.
func (r *Ring[T]) Values() []T { return append([]T{}, r.vals...) }

// Last returns the most recently pushed value.
func (r *Ring[T]) Last() (v T, ok bool) {
	if len(r.vals) == 0 {
		return v, false
	}
	return r.vals[len(r.vals)-1], true
}
