package tokenizer

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
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

// Each token class is an anchored regular expression tried on the rest of the input.
var (
	reSkip     = regexp.MustCompile(`^(?:[ \t\r\n]+|//[^\n]*|/\*(?s:.*?)\*/)`)
	reIdent    = regexp.MustCompile(`^[\p{L}_][\p{L}\p{Nd}_]*`)
	reNumber   = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?`)
	reString   = regexp.MustCompile(`^"((?:[^"\\\n]|\\[nt\\"])*)"`)
	reStrStart = regexp.MustCompile(`^"(?:[^"\\\n]|\\[nt\\"])*`)
	reOp       = regexp.MustCompile(`^(?:==|!=|<=|>=|&&|\|\||[-+*/%=<>!(){},;])`)
	unescape   = strings.NewReplacer(`\n`, "\n", `\t`, "\t", `\\`, `\`, `\"`, `"`)
)

// pos is a line and column; advance moves it over consumed text.
type pos struct{ line, col int }

func (p pos) advance(s string) pos {
	for _, r := range s {
		if r == '\n' {
			p.line, p.col = p.line+1, 1
		} else {
			p.col++
		}
	}
	return p
}

func fail(p pos, format string, args ...any) error {
	return &Error{Line: p.line, Col: p.col, Msg: fmt.Sprintf(format, args...)}
}

// Tokenize matches the token classes in turn at the current offset.
func Tokenize(src string) ([]Token, error) {
	var out []Token
	at := pos{1, 1}
	rest := src
	for rest != "" {
		var kind Kind
		var text, matched string
		switch {
		case reSkip.MatchString(rest):
			matched = reSkip.FindString(rest)
			at, rest = at.advance(matched), rest[len(matched):]
			continue
		case strings.HasPrefix(rest, "/*"):
			return out, fail(at, "unterminated comment")
		case reIdent.MatchString(rest):
			matched = reIdent.FindString(rest)
			kind, text = Ident, matched
		case reNumber.MatchString(rest):
			m := reNumber.FindStringSubmatch(rest)
			matched, kind, text = m[0], Int, m[0]
			if m[1] != "" {
				kind = Float
			}
			next, _ := utf8.DecodeRuneInString(rest[len(matched):])
			if next == '_' || unicode.IsLetter(next) || unicode.IsDigit(next) || next == '.' && m[1] == "" {
				return out, fail(at, "malformed number")
			}
		case strings.HasPrefix(rest, `"`):
			m := reString.FindStringSubmatch(rest)
			if m == nil {
				prefix := reStrStart.FindString(rest)
				after := rest[len(prefix):]
				if strings.HasPrefix(after, `\`) && len(after) > 1 {
					return out, fail(at.advance(prefix), "bad escape")
				}
				return out, fail(at, "unterminated string")
			}
			matched, kind, text = m[0], String, unescape.Replace(m[1])
		case reOp.MatchString(rest):
			matched = reOp.FindString(rest)
			kind, text = Op, matched
		default:
			r, _ := utf8.DecodeRuneInString(rest)
			return out, fail(at, "unexpected character %q", r)
		}
		out = append(out, Token{kind, text, at.line, at.col})
		at, rest = at.advance(matched), rest[len(matched):]
	}
	return append(out, Token{Kind: EOF, Line: at.line, Col: at.col}), nil
}
