package calc

import (
	"errors"
	"fmt"
	"strconv"
)

var ErrDivisionByZero = errors.New("calc: division by zero")

// SyntaxError says where expr is malformed.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s at position %d", e.Msg, e.Pos) }

type parser struct {
	src string
	pos int
}

// Eval returns the value of expr (recursive descent, one function per grammar rule).
func Eval(expr string) (float64, error) {
	p := &parser{src: expr}
	v, err := p.expr()
	if err != nil {
		return 0, err
	}
	if p.skip(); p.pos < len(p.src) {
		return 0, p.unexpected()
	}
	return v, nil
}

func (p *parser) skip() {
	for p.pos < len(p.src) && p.src[p.pos] == ' ' {
		p.pos++
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (p *parser) peek() byte {
	p.skip()
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *parser) unexpected() error {
	if p.pos >= len(p.src) {
		return &SyntaxError{p.pos, "unexpected end of input"}
	}
	return &SyntaxError{p.pos, fmt.Sprintf("unexpected %q", p.src[p.pos])}
}

func (p *parser) expr() (float64, error) {
	v, err := p.term()
	for err == nil {
		op := p.peek()
		if op != '+' && op != '-' {
			break
		}
		p.pos++
		var r float64
		if r, err = p.expr(); err == nil && op == '+' {
			v += r
		} else if err == nil {
			v -= r
		}
		break
	}
	return v, err
}

func (p *parser) term() (float64, error) {
	v, err := p.unary()
	for err == nil {
		op := p.peek()
		if op != '*' && op != '/' {
			break
		}
		p.pos++
		var r float64
		if r, err = p.term(); err != nil {
			break
		}
		if op == '*' {
			v *= r
		} else if r == 0 {
			return 0, ErrDivisionByZero
		} else {
			v /= r
		}
	}
	return v, err
}

func (p *parser) unary() (float64, error) {
	if p.peek() == '-' {
		p.pos++
		v, err := p.unary()
		return -v, err
	}
	return p.primary()
}

func (p *parser) primary() (float64, error) {
	c := p.peek()
	switch {
	case c == '(':
		p.pos++
		v, err := p.expr()
		if err != nil {
			return 0, err
		}
		if p.peek() != ')' {
			if p.pos >= len(p.src) {
				return 0, &SyntaxError{p.pos, "missing ')'"}
			}
			return 0, p.unexpected()
		}
		p.pos++
		return v, nil
	case c >= '0' && c <= '9':
		return p.number()
	}
	return 0, p.unexpected()
}

func (p *parser) number() (float64, error) {
	start := p.pos
	digits := func() {
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
	}
	digits()
	if p.pos+1 < len(p.src) && p.src[p.pos] == '.' && p.src[p.pos+1] >= '0' && p.src[p.pos+1] <= '9' {
		p.pos++
		digits()
	}
	return strconv.ParseFloat(p.src[start:p.pos], 64)
}
