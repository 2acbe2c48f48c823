package tokenizer_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	tk "gotasks/tokenizer"
)

func show(toks []tk.Token) string {
	var parts []string
	for _, t := range toks {
		parts = append(parts, fmt.Sprintf("%d%q@%d:%d", t.Kind, t.Text, t.Line, t.Col))
	}
	return strings.Join(parts, " ")
}

func lex(t *testing.T, src string) []tk.Token {
	t.Helper()
	toks, err := tk.Tokenize(src)
	if err != nil {
		t.Fatalf("Tokenize(%q): %v", src, err)
	}
	return toks
}

func expect(t *testing.T, src string, want []tk.Token) {
	t.Helper()
	if got := lex(t, src); show(got) != show(want) {
		t.Errorf("Tokenize(%q) =\n%s\nwant\n%s", src, show(got), show(want))
	}
}

func TestIdentifiers(t *testing.T) {
	expect(t, "foo _bar baz9 x_1_", []tk.Token{
		{tk.Ident, "foo", 1, 1}, {tk.Ident, "_bar", 1, 5}, {tk.Ident, "baz9", 1, 10}, {tk.Ident, "x_1_", 1, 15}, {tk.EOF, "", 1, 19},
	})
	expect(t, "héllo 日本", []tk.Token{{tk.Ident, "héllo", 1, 1}, {tk.Ident, "日本", 1, 7}, {tk.EOF, "", 1, 9}})
}

func TestNumbers(t *testing.T) {
	expect(t, "0 42 007 3.14 10.0", []tk.Token{
		{tk.Int, "0", 1, 1}, {tk.Int, "42", 1, 3}, {tk.Int, "007", 1, 6}, {tk.Float, "3.14", 1, 10}, {tk.Float, "10.0", 1, 15}, {tk.EOF, "", 1, 19},
	})
	expect(t, "f(1,2.5);", []tk.Token{
		{tk.Ident, "f", 1, 1}, {tk.Op, "(", 1, 2}, {tk.Int, "1", 1, 3}, {tk.Op, ",", 1, 4}, {tk.Float, "2.5", 1, 5},
		{tk.Op, ")", 1, 8}, {tk.Op, ";", 1, 9}, {tk.EOF, "", 1, 10},
	})
	expect(t, "x1-2", []tk.Token{{tk.Ident, "x1", 1, 1}, {tk.Op, "-", 1, 3}, {tk.Int, "2", 1, 4}, {tk.EOF, "", 1, 5}})
}

func TestStrings(t *testing.T) {
	expect(t, `"hi" "" "a\"b" "tab\there" "back\\slash" "nl\n"`, []tk.Token{
		{tk.String, "hi", 1, 1}, {tk.String, "", 1, 6}, {tk.String, `a"b`, 1, 9}, {tk.String, "tab\there", 1, 16},
		{tk.String, `back\slash`, 1, 28}, {tk.String, "nl\n", 1, 42}, {tk.EOF, "", 1, 48},
	})
	expect(t, `"// not a comment" "日本"x`, []tk.Token{
		{tk.String, "// not a comment", 1, 1}, {tk.String, "日本", 1, 20}, {tk.Ident, "x", 1, 24}, {tk.EOF, "", 1, 25},
	})
}

func TestOperators(t *testing.T) {
	src := "a<=b==c!=d&&!e||f>=g<h>i=j%k*l/m+(n){o},-p"
	var ops []string
	for _, tok := range lex(t, src) {
		if tok.Kind == tk.Op {
			ops = append(ops, tok.Text)
		}
	}
	want := "<= == != && ! || >= < > = % * / + ( ) { } , -"
	if got := strings.Join(ops, " "); got != want {
		t.Errorf("operators of %q = %s\nwant %s", src, got, want)
	}
	expect(t, "!==", []tk.Token{{tk.Op, "!=", 1, 1}, {tk.Op, "=", 1, 3}, {tk.EOF, "", 1, 4}})
	expect(t, "<==", []tk.Token{{tk.Op, "<=", 1, 1}, {tk.Op, "=", 1, 3}, {tk.EOF, "", 1, 4}})
}

func TestComments(t *testing.T) {
	expect(t, "a // one\nb /* two\n three */ c /**/d/* * / */e", []tk.Token{
		{tk.Ident, "a", 1, 1}, {tk.Ident, "b", 2, 1}, {tk.Ident, "c", 3, 11}, {tk.Ident, "d", 3, 17}, {tk.Ident, "e", 3, 27}, {tk.EOF, "", 3, 28},
	})
	expect(t, "x/y // end", []tk.Token{{tk.Ident, "x", 1, 1}, {tk.Op, "/", 1, 2}, {tk.Ident, "y", 1, 3}, {tk.EOF, "", 1, 11}})
	expect(t, "/* a /* b */ c", []tk.Token{{tk.Ident, "c", 1, 14}, {tk.EOF, "", 1, 15}})
}

func TestPositions(t *testing.T) {
	src := "if (é1 >= 2) {\n\tx = \"ü\";\r\n}\n"
	expect(t, src, []tk.Token{
		{tk.Ident, "if", 1, 1}, {tk.Op, "(", 1, 4}, {tk.Ident, "é1", 1, 5}, {tk.Op, ">=", 1, 8}, {tk.Int, "2", 1, 11},
		{tk.Op, ")", 1, 12}, {tk.Op, "{", 1, 14}, {tk.Ident, "x", 2, 2}, {tk.Op, "=", 2, 4}, {tk.String, "ü", 2, 6},
		{tk.Op, ";", 2, 9}, {tk.Op, "}", 3, 1}, {tk.EOF, "", 4, 1},
	})
	expect(t, "", []tk.Token{{tk.EOF, "", 1, 1}})
	expect(t, "\n\n  ", []tk.Token{{tk.EOF, "", 3, 3}})
}

func TestErrors(t *testing.T) {
	for _, c := range []struct {
		src       string
		line, col int
	}{
		{`"abc`, 1, 1},
		{`x = "abc` + "\n" + `"`, 1, 5},
		{`"a\qb"`, 1, 3},
		{`"é\x"`, 1, 3},
		{"1.", 1, 1},
		{"1.x", 1, 1},
		{"a 12ab", 1, 3},
		{"3_000", 1, 1},
		{"1.2.3", 1, 4},
		{"a # b", 1, 3},
		{"a & b", 1, 3},
		{"a | b", 1, 3},
		{"x\n  @", 2, 3},
		{"é\t$", 1, 3},
		{"ok /* never closed\n", 1, 4},
		{"a\n/* x */ \"ü\\y\"", 2, 11},
	} {
		toks, err := tk.Tokenize(c.src)
		var le *tk.Error
		if !errors.As(err, &le) {
			t.Errorf("Tokenize(%q) = %s, %v; want a *tokenizer.Error", c.src, show(toks), err)
			continue
		}
		if le.Line != c.line || le.Col != c.col {
			t.Errorf("Tokenize(%q): error %v at %d:%d, want %d:%d", c.src, err, le.Line, le.Col, c.line, c.col)
		}
		if prefix := fmt.Sprintf("%d:%d: ", c.line, c.col); !strings.HasPrefix(err.Error(), prefix) || len(err.Error()) == len(prefix) {
			t.Errorf("Tokenize(%q): message %q, want %q and a reason", c.src, err.Error(), prefix)
		}
	}
}

func TestTokensBeforeError(t *testing.T) {
	toks, err := tk.Tokenize("a = 1 +\n b @ c")
	want := []tk.Token{{tk.Ident, "a", 1, 1}, {tk.Op, "=", 1, 3}, {tk.Int, "1", 1, 5}, {tk.Op, "+", 1, 7}, {tk.Ident, "b", 2, 2}}
	if err == nil || show(toks) != show(want) {
		t.Errorf("Tokenize = %s, %v\nwant %s and an error", show(toks), err, show(want))
	}
}
