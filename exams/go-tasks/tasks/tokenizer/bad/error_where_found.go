package tokenizer

import (
	"fmt"
	"strings"
	"unicode"
)

// Kind is the kind of a token.
type Kind int

const (
	EOF Kind = iota
	Ident
	Int
	Float
	String
	Op
)

// Token is one token at its first character's position.
type Token struct {
	Kind      Kind
	Text      string
	Line, Col int
}

// Error is a lexical error at a position.
type Error struct {
	Line, Col int
	Msg       string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

var ops2 = []string{"==", "!=", "<=", ">=", "&&", "||"}

const ops1 = "+-*/%=<>!(){},;"

// lexer walks the runes, keeping the position of the next one.
type lexer struct {
	src       []rune
	i         int
	line, col int
	out       []Token
}

func (l *lexer) peek(k int) rune {
	if l.i+k < len(l.src) {
		return l.src[l.i+k]
	}
	return 0
}

func (l *lexer) next() rune {
	r := l.src[l.i]
	l.i++
	if r == '\n' {
		l.line, l.col = l.line+1, 1
	} else {
		l.col++
	}
	return r
}

func (l *lexer) fail(line, col int, format string, args ...any) error {
	return &Error{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isASCIIDigit(r rune) bool { return '0' <= r && r <= '9' }

// Tokenize splits src into tokens.
func Tokenize(src string) ([]Token, error) {
	l := &lexer{src: []rune(src), line: 1, col: 1}
	for l.i < len(l.src) {
		if err := l.token(); err != nil {
			return l.out, err
		}
	}
	return append(l.out, Token{Kind: EOF, Line: l.line, Col: l.col}), nil
}

// token reads one token (or skips white space or a comment).
func (l *lexer) token() error {
	line, col := l.line, l.col
	r := l.peek(0)
	emit := func(k Kind, text string) { l.out = append(l.out, Token{k, text, line, col}) }
	switch {
	case r == ' ' || r == '\t' || r == '\r' || r == '\n':
		l.next()
	case r == '/' && l.peek(1) == '/':
		for l.i < len(l.src) && l.peek(0) != '\n' {
			l.next()
		}
	case r == '/' && l.peek(1) == '*':
		l.next()
		l.next()
		for !(l.peek(0) == '*' && l.peek(1) == '/') {
			if l.i >= len(l.src) {
				return l.fail(line, col, "unterminated comment")
			}
			l.next()
		}
		l.next()
		l.next()
	case isIdentStart(r):
		start := l.i
		for l.i < len(l.src) && (isIdentStart(l.peek(0)) || unicode.IsDigit(l.peek(0))) {
			l.next()
		}
		emit(Ident, string(l.src[start:l.i]))
	case isASCIIDigit(r):
		return l.number(line, col)
	case r == '"':
		return l.str(line, col)
	default:
		two := string(r) + string(l.peek(1))
		for _, op := range ops2 {
			if two == op {
				l.next()
				l.next()
				emit(Op, op)
				return nil
			}
		}
		if strings.ContainsRune(ops1, r) {
			l.next()
			emit(Op, string(r))
			return nil
		}
		return l.fail(line, col, "unexpected character %q", r)
	}
	return nil
}

func (l *lexer) number(line, col int) error {
	start := l.i
	kind := Int
	for isASCIIDigit(l.peek(0)) {
		l.next()
	}
	if l.peek(0) == '.' {
		l.next()
		if !isASCIIDigit(l.peek(0)) {
			return l.fail(line, col, "malformed number")
		}
		for isASCIIDigit(l.peek(0)) {
			l.next()
		}
		kind = Float
	}
	if r := l.peek(0); isIdentStart(r) || unicode.IsDigit(r) {
		return l.fail(line, col, "malformed number")
	}
	l.out = append(l.out, Token{kind, string(l.src[start:l.i]), line, col})
	return nil
}

func (l *lexer) str(line, col int) error {
	l.next() // the opening quote
	var b strings.Builder
	for {
		if l.i >= len(l.src) || l.peek(0) == '\n' {
			return l.fail(l.line, l.col, "unterminated string")
		}
		eline, ecol := l.line, l.col
		switch r := l.next(); r {
		case '"':
			l.out = append(l.out, Token{String, b.String(), line, col})
			return nil
		case '\\':
			if l.i >= len(l.src) {
				return l.fail(line, col, "unterminated string")
			}
			switch e := l.peek(0); e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '\\', '"':
				b.WriteRune(e)
			default:
				return l.fail(eline, ecol, "unknown escape \\%c", e)
			}
			l.next()
		default:
			b.WriteRune(r)
		}
	}
}
