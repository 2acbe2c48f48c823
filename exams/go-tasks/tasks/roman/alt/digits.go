package roman

import (
	"errors"
	"regexp"
)

// Each decimal digit has a fixed spelling per place.
var places = [4][10]string{
	{"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"},
	{"", "X", "XX", "XXX", "XL", "L", "LX", "LXX", "LXXX", "XC"},
	{"", "C", "CC", "CCC", "CD", "D", "DC", "DCC", "DCCC", "CM"},
	{"", "M", "MM", "MMM"},
}

var errInvalid = errors.New("roman: invalid numeral")

// ToRoman spells each decimal digit by its place.
func ToRoman(n int) (string, error) {
	if n < 1 || n > 3999 {
		return "", errors.New("roman: out of range 1..3999")
	}
	return places[3][n/1000] + places[2][n/100%10] + places[1][n/10%10] + places[0][n%10], nil
}

// canonical is the grammar of the numerals ToRoman writes.
var canonical = regexp.MustCompile(`^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$`)

var value = map[byte]int{'I': 1, 'V': 5, 'X': 10, 'L': 50, 'C': 100, 'D': 500, 'M': 1000}

// FromRoman checks the grammar, then sums right to left, subtracting a symbol smaller than
// the one after it.
func FromRoman(s string) (int, error) {
	if s == "" || !canonical.MatchString(s) {
		return 0, errInvalid
	}
	total, next := 0, 0
	for i := len(s) - 1; i >= 0; i-- {
		v := value[s[i]]
		if v < next {
			total -= v
		} else {
			total += v
		}
		next = v
	}
	return total, nil
}
