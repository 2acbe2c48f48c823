package reverse_test

import (
	"testing"

	"gotasks/reverse"
)

func TestReverseASCII(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""}, {"a", "a"}, {"ab", "ba"}, {"hello, world", "dlrow ,olleh"},
	} {
		if got := reverse.Reverse(c.in); got != c.want {
			t.Errorf("Reverse(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestReverseMultibyte(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"héllo", "olléh"}, {"日本語", "語本日"}, {"a🙂b", "b🙂a"}, {"ñ", "ñ"},
	} {
		if got := reverse.Reverse(c.in); got != c.want {
			t.Errorf("Reverse(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestPalindromeSimple(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"", true}, {"a", true}, {"abba", true}, {"abcba", true}, {"abca", false}, {"Abba", true}, {"12321", true},
	} {
		if got := reverse.IsPalindrome(c.in); got != c.want {
			t.Errorf("IsPalindrome(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestPalindromePunctuation(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"A man, a plan, a canal: Panama", true}, {"No 'x' in Nixon", true}, {"race a car", false}, {"!!", true},
	} {
		if got := reverse.IsPalindrome(c.in); got != c.want {
			t.Errorf("IsPalindrome(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestPalindromeUnicode(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"été", true}, {"Ésope reste ici et se repose", false}, {"ÉtÉ", true}, {"日本日", true}, {"éte", false},
	} {
		if got := reverse.IsPalindrome(c.in); got != c.want {
			t.Errorf("IsPalindrome(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}
