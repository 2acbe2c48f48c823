package retry

import (
	"context"
	"time"
)

// Permanent marks an error that must not be retried.
type Permanent struct{ Err error }

func (p *Permanent) Error() string { return p.Err.Error() }

// Unwrap returns the wrapped error.
func (p *Permanent) Unwrap() error { return p.Err }

// Sleeper waits for d or until ctx is done.
type Sleeper func(ctx context.Context, d time.Duration) error

// Do calls op up to attempts times with capped exponential backoff between attempts.
func Do(ctx context.Context, attempts int, base, max time.Duration, sleep Sleeper, op func(context.Context) error) error {
	var err error
	delay := base
	for i := 0; i < attempts; i++ {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		err = op(ctx)
		if err == nil {
			return nil
		}
		if i == attempts-1 {
			break
		}
		if sleepErr := sleep(ctx, min(delay, max)); sleepErr != nil {
			return ctx.Err()
		}
		delay *= 2
	}
	return err
}
