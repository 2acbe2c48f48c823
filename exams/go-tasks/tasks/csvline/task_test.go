package csvline_test

import (
	"errors"
	"reflect"
	"testing"

	"gotasks/csvline"
)

func check(t *testing.T, line string, want ...string) {
	t.Helper()
	got, err := csvline.SplitFields(line)
	if err != nil {
		t.Errorf("SplitFields(%q) error: %v", line, err)
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SplitFields(%q) = %q, want %q", line, got, want)
	}
}

func TestPlain(t *testing.T) {
	check(t, "a,b,c", "a", "b", "c")
	check(t, "one", "one")
	check(t, " a , b ", " a ", " b ")
}

func TestEmptyFields(t *testing.T) {
	check(t, "", "")
	check(t, ",", "", "")
	check(t, "a,,b,", "a", "", "b", "")
	check(t, `"",x`, "", "x")
}

func TestQuotedComma(t *testing.T) {
	check(t, `"a,b",c`, "a,b", "c")
	check(t, `x,"hello, world"`, "x", "hello, world")
	check(t, `"1,2,3"`, "1,2,3")
}

func TestEscapedQuote(t *testing.T) {
	check(t, `"say ""hi""",2`, `say "hi"`, "2")
	check(t, `""""`, `"`)
	check(t, `"a""",b`, `a"`, "b")
}

func TestUnterminated(t *testing.T) {
	for _, line := range []string{`"abc`, `a,"b,c`, `"x""`} {
		if _, err := csvline.SplitFields(line); !errors.Is(err, csvline.ErrUnterminated) {
			t.Errorf("SplitFields(%q) error = %v, want ErrUnterminated", line, err)
		}
	}
}
