package main

import (
	"fmt"
	"strings"
	"syscall"
	"time"
)

// Outcome is a test's verdict on the program; a returned error is the harness's own failure.
type Outcome struct {
	Passed bool
	Detail string
}

func pass(format string, a ...any) (Outcome, error) {
	return Outcome{true, fmt.Sprintf(format, a...)}, nil
}
func fail(format string, a ...any) (Outcome, error) {
	return Outcome{false, fmt.Sprintf(format, a...)}, nil
}

// failOr turns an error into a failed check, unless it is the harness's own.
func failOr(err error) (Outcome, error) {
	if _, ok := err.(harnessError); ok {
		return Outcome{}, err
	}
	return fail("%v", err)
}

// Test is one scored integration test.
type Test struct {
	Name string
	Run  func(e *Env) (Outcome, error)
}

// Tests lists the ten tests in report order.
var Tests = []Test{
	{"OnlineFlow", testOnlineFlow},
	{"BuffersDuringOutage", testBuffersDuringOutage},
	{"FlushOnReconnect", testFlushOnReconnect},
	{"BufferBounded", testBufferBounded},
	{"EvictionRandom", testEvictionRandom},
	{"MultipleOutageCycles", testMultipleOutageCycles},
	{"BufferSizeZero", testBufferSizeZero},
	{"BufferSizeOne", testBufferSizeOne},
	{"GracefulShutdown", testGracefulShutdown},
	{"RaceDetector", testRaceDetector},
}

const (
	defaultBuffer  = 1000
	boundedBuffer  = 5
	evictionBuffer = 20
	evictionOutage = 45 // > 2 x evictionBuffer: see README for the false-failure bound
	raceCycles     = 5
)

// startOnline starts a run and waits for a first live metric.
func (e *Env) startOnline(race bool, bufferSize int) (*Run, error) {
	r, err := e.start(race, bufferSize)
	if err != nil {
		return nil, err
	}
	if !r.waitLive(0, 1) {
		err := fmt.Errorf("no metrics reached the online sink (%s)", r.why())
		r.close()
		return nil, err
	}
	return r, nil
}

func (e *Env) needBufferFlag() error {
	if e.CLI.BufferFlag == "" {
		return fmt.Errorf("no buffer-size flag in the -h output")
	}
	return nil
}

func testOnlineFlow(e *Env) (Outcome, error) {
	r, err := e.start(false, defaultBuffer)
	if err != nil {
		return failOr(err)
	}
	defer r.close()
	if !r.waitLive(0, 5) {
		return fail("%d metrics reached the sink, want 5 (%s)", len(r.ids(time.Time{})), r.why())
	}
	for _, d := range r.sink.Deliveries() {
		if d.ID == 0 || d.ID > r.inv.Served() {
			return fail("a delivered metric does not carry the scraped OwnConsumedPower value")
		}
		if d.Device != DeviceName {
			return fail("device_name is %q, want %q", d.Device, DeviceName)
		}
	}
	return pass("%d scrapes delivered", len(r.ids(time.Time{})))
}

func testBuffersDuringOutage(e *Env) (Outcome, error) {
	r, err := e.startOnline(false, defaultBuffer)
	if err != nil {
		return failOr(err)
	}
	defer r.close()
	first, last, err := r.outage(SinkFailing, 10)
	if err != nil {
		return failOr(err)
	}
	if err := r.reconnect(false); err != nil {
		return Outcome{}, err
	}
	want := span(first, last)
	r.waitFor(func() bool { return len(missing(want, r.ids(time.Time{}))) == 0 }, e.flushDeadline())
	if lost := missing(want, r.ids(time.Time{})); len(lost) > 0 {
		return fail("%d of %d metrics scraped while the sink answered 503 never arrived (%s)", len(lost), len(want), r.why())
	}
	return pass("all %d metrics scraped during the outage arrived after it", len(want))
}

func testFlushOnReconnect(e *Env) (Outcome, error) {
	r, err := e.startOnline(false, defaultBuffer)
	if err != nil {
		return failOr(err)
	}
	defer r.close()
	first, last, err := r.outage(SinkRefused, 5)
	if err != nil {
		return failOr(err)
	}
	if err := r.reconnect(true); err != nil {
		return Outcome{}, err
	}
	want := span(first, last)
	start := time.Now()
	r.waitFor(func() bool { return len(missing(want, r.ids(time.Time{}))) == 0 }, e.flushDeadline())
	if lost := missing(want, r.ids(time.Time{})); len(lost) > 0 {
		return fail("%d of %d buffered metrics did not arrive within %s of the reconnect while no new scrape happened (%s)",
			len(lost), len(want), e.flushDeadline(), r.why())
	}
	return pass("%d buffered metrics flushed %.1fs after the reconnect, with scraping paused", len(want), time.Since(start).Seconds())
}

func testBufferBounded(e *Env) (Outcome, error) {
	if err := e.needBufferFlag(); err != nil {
		return fail("%v", err)
	}
	r, err := e.startOnline(false, boundedBuffer)
	if err != nil {
		return failOr(err)
	}
	defer r.close()
	if _, _, err := r.outage(SinkFailing, 3*boundedBuffer); err != nil {
		return failOr(err)
	}
	if err := r.reconnect(false); err != nil {
		return Outcome{}, err
	}
	_, got := r.flushed()
	switch {
	case len(got) == 0:
		return fail("nothing scraped during the outage arrived after the reconnect (%s)", r.why())
	case len(got) > boundedBuffer:
		return fail("%d metrics scraped before the reconnect were flushed, more than -%s=%d", len(got), e.CLI.BufferFlag, boundedBuffer)
	}
	return pass("%d buffered metrics flushed with -%s=%d", len(got), e.CLI.BufferFlag, boundedBuffer)
}

func testEvictionRandom(e *Env) (Outcome, error) {
	if err := e.needBufferFlag(); err != nil {
		return fail("%v", err)
	}
	r, err := e.startOnline(false, evictionBuffer)
	if err != nil {
		return failOr(err)
	}
	defer r.close()
	if _, _, err := r.outage(SinkRefused, evictionOutage); err != nil {
		return failOr(err)
	}
	if err := r.reconnect(false); err != nil {
		return Outcome{}, err
	}
	candidates, got := r.flushed()
	k := len(got)
	if k < 2 {
		return fail("%d buffered metrics arrived after the reconnect, need at least 2 to judge eviction (%s)", k, r.why())
	}
	if k >= len(candidates) {
		return fail("all %d metrics of the outage survived with -%s=%d: nothing was evicted", k, e.CLI.BufferFlag, evictionBuffer)
	}
	oldest, newest := candidates[:k], candidates[len(candidates)-k:]
	if len(missing(oldest, got)) == 0 {
		return fail("the %d survivors are exactly the oldest: new metrics were dropped instead of replacing random ones", k)
	}
	if len(missing(newest, got)) == 0 {
		return fail("the %d survivors are exactly the newest: eviction is first-in first-out, not random", k)
	}
	return pass("%d survivors of %d, mixed old and new: %v", k, len(candidates), sortedIDs(got))
}

func testMultipleOutageCycles(e *Env) (Outcome, error) {
	r, err := e.startOnline(false, defaultBuffer)
	if err != nil {
		return failOr(err)
	}
	defer r.close()
	modes := []SinkMode{SinkFailing, SinkRefused, SinkFailing}
	for i, mode := range modes {
		if _, _, err := r.outage(mode, 5); err != nil {
			return failOr(fmt.Errorf("cycle %d: %w", i+1, err))
		}
		if err := r.reconnect(false); err != nil {
			return Outcome{}, err
		}
		if i < len(modes)-1 {
			base := r.inv.Served()
			if !r.waitFor(func() bool { return r.inv.Served() >= base+3 }, e.budget(3)) {
				return fail("cycle %d: scraping stopped after the reconnect (%s)", i+1, r.why())
			}
		}
	}
	want := span(1, r.LastPre)
	r.waitFor(func() bool { return len(missing(want, r.ids(time.Time{}))) == 0 }, e.flushDeadline())
	if lost := missing(want, r.ids(time.Time{})); len(lost) > 0 {
		return fail("after 3 outages, %d of %d metrics never arrived, e.g. scrape %d (%s)", len(lost), len(want), lost[0], r.why())
	}
	if !r.waitLive(r.LastPre, 2) {
		return fail("live metrics stopped after the third reconnect (%s)", r.why())
	}
	return pass("3 outages (503, refused, 503): all %d metrics arrived and live flow resumed", len(want))
}

func testBufferSizeZero(e *Env) (Outcome, error) {
	if err := e.needBufferFlag(); err != nil {
		return fail("%v", err)
	}
	r, err := e.start(false, 0)
	if err != nil {
		return failOr(err)
	}
	defer r.close()
	if !r.waitLive(0, 1) {
		if r.proc.Exited() && r.proc.Crashed() == "" && r.proc.ExitCode() > 0 && len(r.ids(time.Time{})) == 0 {
			return pass("refused -%s=0 at start-up (%s): %s", e.CLI.BufferFlag, r.proc.ExitDescription(), r.proc.out.excerpt(""))
		}
		return fail("with -%s=0 no metrics reached the online sink (%s)", e.CLI.BufferFlag, r.why())
	}
	if _, _, err := r.outage(SinkFailing, 5); err != nil {
		return failOr(err)
	}
	if err := r.reconnect(false); err != nil {
		return Outcome{}, err
	}
	if !r.waitLive(r.LastPre, 2) {
		return fail("with -%s=0, live metrics did not resume after an outage (%s)", e.CLI.BufferFlag, r.why())
	}
	if c := r.proc.Crashed(); c != "" {
		return fail("crashed: %s", c)
	}
	return pass("ran through an outage with -%s=0", e.CLI.BufferFlag)
}

func testBufferSizeOne(e *Env) (Outcome, error) {
	if err := e.needBufferFlag(); err != nil {
		return fail("%v", err)
	}
	r, err := e.startOnline(false, 1)
	if err != nil {
		return failOr(err)
	}
	defer r.close()
	if _, _, err := r.outage(SinkRefused, 5); err != nil {
		return failOr(err)
	}
	if err := r.reconnect(false); err != nil {
		return Outcome{}, err
	}
	_, got := r.flushed()
	if len(got) != 1 {
		return fail("%d metrics scraped before the reconnect were flushed with -%s=1, want exactly 1 (%s)", len(got), e.CLI.BufferFlag, r.why())
	}
	if !r.waitLive(r.LastPre, 2) {
		return fail("live metrics did not resume after the reconnect (%s)", r.why())
	}
	return pass("exactly 1 buffered metric flushed with -%s=1", e.CLI.BufferFlag)
}

func testGracefulShutdown(e *Env) (Outcome, error) {
	r, err := e.startOnline(false, defaultBuffer)
	if err != nil {
		return failOr(err)
	}
	defer r.close()
	r.proc.Signal(syscall.SIGINT)
	start := time.Now()
	if !r.proc.WaitExit(shutdownGrace) {
		return fail("still running %s after SIGINT", shutdownGrace)
	}
	if c := r.proc.Crashed(); c != "" {
		return fail("crashed on SIGINT: %s", c)
	}
	return pass("exited %.2fs after SIGINT (%s)", time.Since(start).Seconds(), r.proc.ExitDescription())
}

func testRaceDetector(e *Env) (Outcome, error) {
	if e.RaceError != "" {
		return fail("the -race build failed: %s", clip(strings.ReplaceAll(e.RaceError, "\n", " | "), 300))
	}
	r, err := e.startOnline(true, defaultBuffer)
	if err != nil {
		return failOr(fmt.Errorf("-race build: %w", err))
	}
	defer r.close()
	// Many short outages with slow 503s: the scrape loop and the retry
	// goroutine meet in the buffer at each transition, while both are inside
	// sink writes; a race between them is exercised many times, not by luck.
	r.sink.SetFailDelay(e.CLI.Interval)
	first := r.inv.Served() + 1
	for cycle := 0; cycle < raceCycles && !r.proc.out.saw("WARNING: DATA RACE"); cycle++ {
		if _, _, err := r.outage(SinkSlowFailing, 4); err != nil {
			return failOr(fmt.Errorf("-race build, outage %d: %w", cycle+1, err))
		}
		if err := r.sink.SetMode(SinkOnline); err != nil {
			return Outcome{}, harnessError{err}
		}
		base := r.inv.Served()
		r.waitFor(func() bool { return r.inv.Served() >= base+2 }, e.budget(2))
	}
	if _, _, err := r.outage(SinkSlowFailing, 4); err != nil {
		return failOr(fmt.Errorf("-race build, last outage: %w", err))
	}
	if err := r.reconnect(false); err != nil {
		return Outcome{}, err
	}
	want := span(first, r.LastPre)
	r.waitFor(func() bool {
		return len(missing(want, r.ids(time.Time{}))) == 0 || r.proc.out.saw("WARNING: DATA RACE")
	}, e.flushDeadline())
	r.waitLiveWithin(r.LastPre, 2, e.budget(2))
	r.proc.Signal(syscall.SIGINT)
	r.proc.WaitExit(shutdownGrace)
	if r.proc.out.saw("WARNING: DATA RACE") {
		return fail("data race reported: %s", r.proc.out.raceSummary())
	}
	if c := r.proc.Crashed(); c != "" {
		return fail("-race build crashed: %s", c)
	}
	return pass("no data race through %d outages, a flush and SIGINT", raceCycles+1)
}
