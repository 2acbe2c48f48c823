package stats

import "errors"

// Number is any integer or floating-point type.
type Number interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

// ErrEmpty is returned by Mean and Median for an empty slice.
var ErrEmpty = errors.New("stats: empty input")

// Sum returns the sum of xs.
func Sum[T Number](xs []T) (total T) {
	for i := range xs {
		total += xs[i]
	}
	return total
}

// Mean converts each value to float64 before adding.
func Mean[T Number](xs []T) (float64, error) {
	if len(xs) == 0 {
		return 0, ErrEmpty
	}
	var total float64
	for _, x := range xs {
		total += float64(x)
	}
	return total / float64(len(xs)), nil
}

// kth returns the k-th smallest value of a float64 copy (Hoare quickselect, middle pivot).
func kth(v []float64, k int) float64 {
	lo, hi := 0, len(v)-1
	for lo < hi {
		pivot := v[(lo+hi)/2]
		i, j := lo, hi
		for i <= j {
			for v[i] < pivot {
				i++
			}
			for v[j] > pivot {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	return v[k]
}

// Median selects the middle value(s) of a float64 copy without sorting it.
func Median[T Number](xs []T) (float64, error) {
	if len(xs) == 0 {
		return 0, ErrEmpty
	}
	v := make([]float64, len(xs))
	for i, x := range xs {
		v[i] = float64(x)
	}
	mid := len(v) / 2
	if len(v)%2 == 1 {
		return kth(v, mid), nil
	}
	return (kth(v, mid-1) + kth(v, mid)) / 2, nil
}
