package base62

import (
	"errors"
	"fmt"
)

// Alphabet gives each digit's value by its index.
const Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

var (
	// ErrSyntax reports an empty string or a byte outside Alphabet.
	ErrSyntax = errors.New("base62: invalid digit")
	// ErrRange reports a value above math.MaxUint64.
	ErrRange = errors.New("base62: value out of range")
)

// Encode returns n in base 62 without leading zeros.
func Encode(n uint64) string {
	if n == 0 {
		return "0"
	}
	var buf [11]byte
	i := len(buf)
	for n > 0 {
		i--
		buf[i] = Alphabet[n%62]
		n /= 62
	}
	return string(buf[i:])
}

func digit(c byte) (uint64, bool) {
	switch {
	case '0' <= c && c <= '9':
		return uint64(c - '0'), true
	case 'A' <= c && c <= 'Z':
		return uint64(c-'A') + 10, true
	case 'a' <= c && c <= 'z':
		return uint64(c-'a') + 36, true
	}
	return 0, false
}

// Decode parses s as base 62.
func Decode(s string) (uint64, error) {
	if s == "" {
		return 0, fmt.Errorf("%w: empty string", ErrSyntax)
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		d, ok := digit(s[i])
		if !ok {
			return 0, fmt.Errorf("%w: byte %q at %d", ErrSyntax, s[i], i)
		}
		next := n*62 + d
		if next < n {
			return 0, fmt.Errorf("%w: %q", ErrRange, s)
		}
		n = next
	}
	return n, nil
}
