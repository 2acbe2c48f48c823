package multierr

import (
	"errors"
	"strings"
)

var (
	ErrRequired = errors.New("required")
	ErrInvalid  = errors.New("invalid")
)

// FieldError is the failure of one field.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// Errors collects errors.
type Errors struct{ errs []error }

// Add records a non-nil err.
func (e *Errors) Add(err error) {
	if err != nil {
		e.errs = append(e.errs, err)
	}
}

type list []error

func (l list) Error() string {
	msgs := make([]string, len(l))
	for i, err := range l {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (l list) Unwrap() []error { return l }

// Err returns nil or the recorded errors as one error.
func (e *Errors) Err() error {
	if len(e.errs) == 0 {
		return nil
	}
	return list(append([]error(nil), e.errs...))
}

// User is what Validate checks.
type User struct {
	Name  string
	Email string
	Age   int
}

// Validate reports every failing field of u.
func Validate(u User) error {
	var errs Errors
	if u.Name == "" {
		errs.Add(&FieldError{"name", ErrRequired})
	}
	switch {
	case u.Email == "":
		errs.Add(&FieldError{"email", ErrRequired})
	case !strings.Contains(u.Email, "@"):
		errs.Add(&FieldError{"email", ErrInvalid})
	}
	if u.Age < 0 || u.Age > 150 {
		errs.Add(&FieldError{"age", ErrInvalid})
	}
	return errs.Err()
}
