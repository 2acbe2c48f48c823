package roman

import (
	"fmt"
	"strings"
)

var numerals = []struct {
	value  int
	symbol string
}{
	{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"},
	{50, "L"}, {40, "XL"}, {10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"},
}

// ToRoman returns n in Roman numerals; n must be in 1..3999.
func ToRoman(n int) (string, error) {
	if n < 1 || n > 3999 {
		return "", fmt.Errorf("roman: %d is out of range 1..3999", n)
	}
	var b strings.Builder
	for _, num := range numerals {
		for n >= num.value {
			b.WriteString(num.symbol)
			n -= num.value
		}
	}
	return b.String(), nil
}

// FromRoman parses canonical upper-case Roman numerals.
func FromRoman(s string) (int, error) {
	total, rest := 0, s
	for _, num := range numerals {
		for strings.HasPrefix(rest, num.symbol) {
			total += num.value
			rest = rest[len(num.symbol):]
		}
	}
	if rest != "" || total == 0 {
		return 0, fmt.Errorf("roman: invalid numeral %q", s)
	}
	if canonical, err := ToRoman(total); err != nil || canonical != s {
		return 0, fmt.Errorf("roman: invalid numeral %q", s)
	}
	return total, nil
}
