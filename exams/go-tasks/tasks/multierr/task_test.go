package multierr_test

import (
	"errors"
	"fmt"
	"testing"

	"gotasks/multierr"
)

func TestValid(t *testing.T) {
	for _, u := range []multierr.User{{"Ann", "ann@example.org", 30}, {"B", "@", 0}, {"C", "c@d", 150}} {
		if err := multierr.Validate(u); err != nil {
			t.Errorf("Validate(%+v) = %v (%T), want nil", u, err, err)
		}
	}
	var errs multierr.Errors
	errs.Add(nil)
	if err := errs.Err(); err != nil {
		t.Errorf("Err() with only a nil added = %v (%T), want nil", err, err)
	}
}

func TestMessage(t *testing.T) {
	cases := []struct {
		u    multierr.User
		want string
	}{
		{multierr.User{"", "x", 200}, "name: required; email: invalid; age: invalid"},
		{multierr.User{"Al", "", 5}, "email: required"},
		{multierr.User{"", "a@b", -1}, "name: required; age: invalid"},
	}
	for _, c := range cases {
		err := multierr.Validate(c.u)
		if err == nil || err.Error() != c.want {
			t.Errorf("Validate(%+v) = %v, want %q", c.u, err, c.want)
		}
	}
}

func TestIsEach(t *testing.T) {
	err := multierr.Validate(multierr.User{"", "nope", 30})
	if !errors.Is(err, multierr.ErrRequired) || !errors.Is(err, multierr.ErrInvalid) {
		t.Errorf("Validate = %v: errors.Is(ErrRequired) = %v, errors.Is(ErrInvalid) = %v; want both true",
			err, errors.Is(err, multierr.ErrRequired), errors.Is(err, multierr.ErrInvalid))
	}
	err = multierr.Validate(multierr.User{"Al", "a@b", 151})
	if errors.Is(err, multierr.ErrRequired) || !errors.Is(err, multierr.ErrInvalid) {
		t.Errorf("Validate(age 151) = %v: want ErrInvalid only", err)
	}
}

func TestAsField(t *testing.T) {
	err := multierr.Validate(multierr.User{"Al", "", 999})
	var fe *multierr.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("errors.As(%v, *FieldError) = false", err)
	}
	if fe.Field != "email" || fe.Err != multierr.ErrRequired {
		t.Errorf("errors.As found %+v, want the first failure {email required}", fe)
	}
}

func TestUnwrapSlice(t *testing.T) {
	err := multierr.Validate(multierr.User{"", "", 151})
	u, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("Validate's error %T has no Unwrap() []error", err)
	}
	got := u.Unwrap()
	want := []string{"name: required", "email: required", "age: invalid"}
	if len(got) != len(want) {
		t.Fatalf("Unwrap() = %v, want %d errors", got, len(want))
	}
	for i, e := range got {
		var fe *multierr.FieldError
		if !errors.As(e, &fe) || e.Error() != want[i] {
			t.Errorf("Unwrap()[%d] = %v (%T), want *FieldError %q", i, e, e, want[i])
		}
	}
}

type codeError struct{ code int }

func (c codeError) Error() string { return fmt.Sprintf("code %d", c.code) }

func TestCollectWrapped(t *testing.T) {
	sentinel := errors.New("disk full")
	var errs multierr.Errors
	errs.Add(fmt.Errorf("write a: %w", sentinel))
	errs.Add(nil)
	errs.Add(codeError{7})
	err := errs.Err()
	if err == nil || err.Error() != "write a: disk full; code 7" {
		t.Fatalf("Err() = %v, want %q", err, "write a: disk full; code 7")
	}
	var ce codeError
	if !errors.Is(err, sentinel) || !errors.As(err, &ce) || ce.code != 7 {
		t.Errorf("errors.Is(disk full) = %v, errors.As(codeError) = %v (%v); want true, true (7)",
			errors.Is(err, sentinel), errors.As(err, &ce), ce)
	}
}
