package multierr

import (
	"errors"
	"fmt"
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

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %v", e.Field, e.Err) }
func (e *FieldError) Unwrap() error { return e.Err }

// Errors keeps a flat errors.Join value and the message built so far.
type Errors struct {
	joined error
	msg    strings.Builder
}

// Add records a non-nil err.
func (e *Errors) Add(err error) {
	if err == nil {
		return
	}
	e.joined = errors.Join(append(unwrap(e.joined), err)...)
	if e.msg.Len() > 0 {
		e.msg.WriteString("; ")
	}
	e.msg.WriteString(err.Error())
}

// unwrap returns the errors inside an errors.Join value (none for nil).
func unwrap(joined error) []error {
	if joined == nil {
		return nil
	}
	return joined.(interface{ Unwrap() []error }).Unwrap()
}

// joinedError reuses errors.Join's Unwrap() []error under its own message.
type joinedError struct {
	msg  string
	errs []error
}

func (j *joinedError) Error() string   { return j.msg }
func (j *joinedError) Unwrap() []error { return j.errs }

// Err returns nil or the recorded errors as one error.
func (e *Errors) Err() error {
	if e.joined == nil {
		return nil
	}
	return &joinedError{e.msg.String(), unwrap(e.joined)}
}

// User is what Validate checks.
type User struct {
	Name  string
	Email string
	Age   int
}

// Validate runs a table of checks, one per field.
func Validate(u User) error {
	checks := []struct {
		field string
		fail  error
	}{
		{"name", map[bool]error{true: ErrRequired}[u.Name == ""]},
		{"email", emailError(u.Email)},
		{"age", map[bool]error{true: ErrInvalid}[u.Age < 0 || u.Age > 150]},
	}
	var errs Errors
	for _, c := range checks {
		if c.fail != nil {
			errs.Add(&FieldError{c.field, c.fail})
		}
	}
	return errs.Err()
}

func emailError(email string) error {
	if email == "" {
		return ErrRequired
	}
	if strings.IndexByte(email, '@') < 0 {
		return ErrInvalid
	}
	return nil
}
