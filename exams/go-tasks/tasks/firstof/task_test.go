package firstof_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"gotasks/firstof"
)

type fn = func(context.Context) (string, error)

func succeed(v string) fn { return func(context.Context) (string, error) { return v, nil } }
func fail(err error) fn   { return func(context.Context) (string, error) { return "", err } }

// blockUntil waits for the call's context to end (or for release) and records that it was cancelled.
func blockUntil(release <-chan struct{}, cancelled *atomic.Int32) fn {
	return func(ctx context.Context) (string, error) {
		select {
		case <-ctx.Done():
			cancelled.Add(1)
			return "", ctx.Err()
		case <-release:
			return "late", nil
		}
	}
}

func TestReturnsWinner(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var cancelled atomic.Int32
		got, err := firstof.First(context.Background(), blockUntil(release, &cancelled), succeed("fast"))
		close(release)
		if err != nil || got != "fast" {
			t.Errorf("First = %q, %v; want fast, nil", got, err)
		}
	})
}

func TestCancelsLosers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		var cancelled atomic.Int32
		got, err := firstof.First(context.Background(), blockUntil(release, &cancelled), succeed("ok"), blockUntil(release, &cancelled))
		if err != nil || got != "ok" {
			t.Errorf("First = %q, %v; want ok, nil", got, err)
		}
		synctest.Wait()
		if n := cancelled.Load(); n != 2 {
			t.Errorf("%d of the 2 losing calls saw their context cancelled", n)
		}
	})
}

func TestSkipsFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		gate := make(chan struct{})
		slowOK := func(ctx context.Context) (string, error) { <-gate; return "slow", nil }
		type outcome struct {
			v   string
			err error
		}
		done := make(chan outcome, 1)
		go func() {
			v, err := firstof.First(context.Background(), fail(errors.New("nope")), slowOK)
			done <- outcome{v, err}
		}()
		synctest.Wait() // the failure is in; the success is still held at the gate
		close(gate)
		if got := <-done; got.err != nil || got.v != "slow" {
			t.Errorf("First = %q, %v; want slow, nil (a failure must not win)", got.v, got.err)
		}
	})
}

func TestAllFail(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e1, e2 := errors.New("one"), errors.New("two")
		_, err := firstof.First(context.Background(), fail(e1), fail(e2))
		if !errors.Is(err, e1) || !errors.Is(err, e2) {
			t.Errorf("First with two failures = %v, want an error wrapping both", err)
		}
	})
}

func TestParentCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		var cancelled atomic.Int32
		release := make(chan struct{})
		defer close(release)
		go func() {
			synctest.Wait()
			cancel()
		}()
		_, err := firstof.First(ctx, blockUntil(release, &cancelled), blockUntil(release, &cancelled))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("First after the parent was cancelled = %v, want context.Canceled", err)
		}
	})
}

func TestNoFunctions(t *testing.T) {
	if _, err := firstof.First[string](context.Background()); err == nil {
		t.Errorf("First with no functions returned no error")
	}
}
