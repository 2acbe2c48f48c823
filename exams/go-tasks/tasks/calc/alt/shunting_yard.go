package calc

import (
	"errors"
	"fmt"
	"strconv"
)

var ErrDivisionByZero = errors.New("calc: division by zero")

type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string {
	return e.Msg + " at position " + strconv.Itoa(e.Pos)
}

const unaryMinus = 'u'

func precedence(op byte) int {
	switch op {
	case unaryMinus:
		return 3
	case '*', '/':
		return 2
	case '+', '-':
		return 1
	}
	return 0 // '('
}

// Eval uses the shunting-yard algorithm: operators wait on a stack until one of lower or equal
// precedence arrives, operands on another.
func Eval(expr string) (float64, error) {
	var ops []byte
	var vals []float64
	apply := func() error {
		op := ops[len(ops)-1]
		ops = ops[:len(ops)-1]
		if op == unaryMinus {
			vals[len(vals)-1] = -vals[len(vals)-1]
			return nil
		}
		a, b := vals[len(vals)-2], vals[len(vals)-1]
		vals = vals[:len(vals)-2]
		var r float64
		switch op {
		case '+':
			r = a + b
		case '-':
			r = a - b
		case '*':
			r = a * b
		case '/':
			if b == 0 {
				return ErrDivisionByZero
			}
			r = a / b
		}
		vals = append(vals, r)
		return nil
	}
	isDigit := func(i int) bool { return i < len(expr) && expr[i] >= '0' && expr[i] <= '9' }
	operand := true // an operand (or a prefix) is expected next
	i := 0
	for {
		for i < len(expr) && expr[i] == ' ' {
			i++
		}
		if i == len(expr) {
			if operand {
				return 0, &SyntaxError{i, "unexpected end of input"}
			}
			break
		}
		c := expr[i]
		switch {
		case operand && c == '-':
			ops = append(ops, unaryMinus)
			i++
		case operand && c == '(':
			ops = append(ops, '(')
			i++
		case operand && isDigit(i):
			start := i
			for isDigit(i) {
				i++
			}
			if i < len(expr) && expr[i] == '.' && isDigit(i+1) {
				for i++; isDigit(i); i++ {
				}
			}
			v, err := strconv.ParseFloat(expr[start:i], 64)
			if err != nil {
				return 0, err
			}
			vals = append(vals, v)
			operand = false
		case !operand && (c == '+' || c == '-' || c == '*' || c == '/'):
			for len(ops) > 0 && precedence(ops[len(ops)-1]) >= precedence(c) {
				if err := apply(); err != nil {
					return 0, err
				}
			}
			ops = append(ops, c)
			operand = true
			i++
		case !operand && c == ')':
			open := false
			for _, op := range ops {
				open = open || op == '('
			}
			if !open {
				return 0, &SyntaxError{i, "unexpected ')'"}
			}
			for ops[len(ops)-1] != '(' {
				if err := apply(); err != nil {
					return 0, err
				}
			}
			ops = ops[:len(ops)-1]
			i++
		default:
			return 0, &SyntaxError{i, fmt.Sprintf("unexpected %q", c)}
		}
	}
	for len(ops) > 0 {
		if ops[len(ops)-1] == '(' {
			return 0, &SyntaxError{len(expr), "missing ')'"}
		}
		if err := apply(); err != nil {
			return 0, err
		}
	}
	return vals[0], nil
}
