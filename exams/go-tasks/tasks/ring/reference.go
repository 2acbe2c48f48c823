package ring

// Ring keeps the last size values pushed.
type Ring[T any] struct {
	buf  []T
	next int // slot the next Push writes
	n    int
}

// New returns an empty ring of the given size.
func New[T any](size int) *Ring[T] { return &Ring[T]{buf: make([]T, size)} }

// Push appends v, dropping the oldest value when full.
func (r *Ring[T]) Push(v T) {
	r.buf[r.next] = v
	r.next = (r.next + 1) % len(r.buf)
	if r.n < len(r.buf) {
		r.n++
	}
}

// Len returns the number of values held.
func (r *Ring[T]) Len() int { return r.n }

// Values returns the values held, oldest first.
func (r *Ring[T]) Values() []T {
	out := make([]T, 0, r.n)
	start := (r.next - r.n + len(r.buf)) % len(r.buf)
	for i := 0; i < r.n; i++ {
		out = append(out, r.buf[(start+i)%len(r.buf)])
	}
	return out
}

// Last returns the most recently pushed value.
func (r *Ring[T]) Last() (T, bool) {
	if r.n == 0 {
		var zero T
		return zero, false
	}
	return r.buf[(r.next-1+len(r.buf))%len(r.buf)], true
}
