package calc_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"gotasks/calc"
)

type valueCase struct {
	expr string
	want float64
}

func checkValues(t *testing.T, cases []valueCase) {
	t.Helper()
	for _, c := range cases {
		got, err := calc.Eval(c.expr)
		if err != nil || math.Abs(got-c.want) > 1e-9 {
			t.Errorf("Eval(%q) = %v, %v; want %v, nil", c.expr, got, err, c.want)
		}
	}
}

func TestNumbers(t *testing.T) {
	checkValues(t, []valueCase{{"42", 42}, {"3.25", 3.25}, {"  7 ", 7}, {"007", 7}, {"0.5", 0.5}, {"1234567", 1234567}})
}

func TestPrecedence(t *testing.T) {
	checkValues(t, []valueCase{
		{"2+3*4", 14}, {"2*3+4", 10}, {"2 + 8 / 4 - 1", 3}, {"1+2*3*4-5", 20}, {"6/3*2", 4},
	})
}

func TestLeftAssociative(t *testing.T) {
	checkValues(t, []valueCase{{"10-4-3", 3}, {"100/10/5", 2}, {"1-2+3", 2}, {"2*6/3", 4}, {"8/4*2", 4}})
}

func TestParentheses(t *testing.T) {
	checkValues(t, []valueCase{{"(2+3)*4", 20}, {"((1))", 1}, {"2*(3+(4-1))*2", 24}, {"( 10 - (4-3) )", 9}, {"(1.5)*(2)", 3}})
}

func TestUnaryMinus(t *testing.T) {
	checkValues(t, []valueCase{
		{"-3", -3}, {"--3", 3}, {"2*-3", -6}, {"-(2+3)", -5}, {"2 - -3", 5}, {"-2*-2", 4}, {"-2-3", -5}, {"- 4", -4},
	})
}

func TestDivisionByZero(t *testing.T) {
	for _, expr := range []string{"1/0", "5/(2-2)", "3 + 4/(1-1)*2"} {
		_, err := calc.Eval(expr)
		var syntax *calc.SyntaxError
		if !errors.Is(err, calc.ErrDivisionByZero) || errors.As(err, &syntax) {
			t.Errorf("Eval(%q) error = %v; want ErrDivisionByZero", expr, err)
		}
	}
	checkValues(t, []valueCase{{"0/5", 0}, {"7/2", 3.5}})
}

type positionCase struct {
	expr string
	pos  int
}

func checkPositions(t *testing.T, cases []positionCase) {
	t.Helper()
	for _, c := range cases {
		v, err := calc.Eval(c.expr)
		var syntax *calc.SyntaxError
		if !errors.As(err, &syntax) {
			t.Errorf("Eval(%q) = %v, %v; want a *SyntaxError at %d", c.expr, v, err, c.pos)
			continue
		}
		if syntax.Pos != c.pos {
			t.Errorf("Eval(%q): SyntaxError at %d (%v), want %d", c.expr, syntax.Pos, err, c.pos)
		}
	}
}

func TestSyntaxErrorPositions(t *testing.T) {
	checkPositions(t, []positionCase{
		{"2 $ 3", 2}, {"2 + * 3", 4}, {"*3", 0}, {"", 0}, {"   ", 3}, {"2 +", 3}, {"(2 + 3", 6},
		{"4 * (1 + )", 9}, {"()", 1}, {"-", 1}, {"2 * x", 4}, {"((2)", 4},
	})
}

func TestTrailingInput(t *testing.T) {
	checkPositions(t, []positionCase{{"2 3", 2}, {"2 + 3)", 5}, {"(1))", 3}, {"1 (2)", 2}, {"4 - 1 9", 6}})
}

func TestErrorMessage(t *testing.T) {
	_, err := calc.Eval("2 + * 3")
	if err == nil || !strings.HasSuffix(err.Error(), " at position 4") {
		t.Errorf("Eval(\"2 + * 3\") error = %v; want a message ending in \" at position 4\"", err)
	}
	e := &calc.SyntaxError{Pos: 7, Msg: "missing ')'"}
	if got := e.Error(); got != "missing ')' at position 7" {
		t.Errorf("SyntaxError{7, \"missing ')'\"}.Error() = %q", got)
	}
}
