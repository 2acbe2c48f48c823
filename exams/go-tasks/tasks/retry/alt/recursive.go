package retry

import (
	"context"
	"errors"
	"time"
)

// Permanent marks an error that must not be retried.
type Permanent struct{ Err error }

func (p *Permanent) Error() string { return p.Err.Error() }

// Unwrap returns the wrapped error.
func (p *Permanent) Unwrap() error { return p.Err }

// Sleeper waits for d or until ctx is done.
type Sleeper func(ctx context.Context, d time.Duration) error

func permanent(err error) bool {
	var p *Permanent
	return errors.As(err, &p)
}

// Do tries once and, if it may go on, sleeps and recurses with one attempt fewer and the
// next delay.
func Do(ctx context.Context, attempts int, base, max time.Duration, sleep Sleeper, op func(context.Context) error) error {
	if attempts <= 0 {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	err := op(ctx)
	if err == nil || permanent(err) || attempts == 1 {
		return err
	}
	wait := base
	if wait > max {
		wait = max
	}
	if sleep(ctx, wait) != nil {
		return ctx.Err()
	}
	next := 2 * base
	if next > max || next < base { // capped, or overflowed
		next = max
	}
	return Do(ctx, attempts-1, next, max, sleep, op)
}
