package base62

import (
	"errors"
	"math/bits"
	"slices"
	"strings"
)

// Alphabet gives each digit's value by its index.
const Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

var (
	ErrSyntax = errors.New("base62: invalid digit")
	ErrRange  = errors.New("base62: value out of range")
)

// Encode collects the digits least significant first and reverses them.
func Encode(n uint64) string {
	var out []byte
	for {
		out = append(out, Alphabet[n%62])
		n /= 62
		if n == 0 {
			break
		}
	}
	slices.Reverse(out)
	return string(out)
}

// Decode looks each byte up in Alphabet and detects overflow with 128-bit arithmetic.
func Decode(s string) (uint64, error) {
	if len(s) == 0 {
		return 0, ErrSyntax
	}
	for _, c := range []byte(s) {
		if c >= 0x80 || strings.IndexByte(Alphabet, c) < 0 {
			return 0, ErrSyntax
		}
	}
	var n uint64
	for _, c := range []byte(s) {
		hi, lo := bits.Mul64(n, 62)
		sum, carry := bits.Add64(lo, uint64(strings.IndexByte(Alphabet, c)), 0)
		if hi != 0 || carry != 0 {
			return 0, ErrRange
		}
		n = sum
	}
	return n, nil
}
