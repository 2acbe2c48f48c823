package main

import (
	"fmt"
	"sort"
	"time"
)

// Env is what every test shares: the binaries, how to launch them, the CLI.
type Env struct {
	Binary     string
	RaceBinary string
	RaceError  string // why the race build failed, when it did
	RaceRSS    int64  // resident-memory cap of a -race run, in bytes (0: none)
	Prefix     []string
	RacePrefix []string
	UIDBase    int
	ProcEnv    []string
	CLI        CLI
}

// Timing, all derived from the scrape interval the harness chose, so a program
// whose -interval takes whole seconds gets proportionally longer deadlines.
// Deadlines only bound waits for conditions; a passing program never waits them out.
func (e *Env) budget(scrapes int) time.Duration {
	return 10*time.Second + time.Duration(scrapes)*e.CLI.Interval*4
}

// flushDeadline: how long after the sink is back the buffered metrics may take
// to arrive (covers a background retry every 10 s, common in real answers).
func (e *Env) flushDeadline() time.Duration { return 15*time.Second + 5*e.CLI.Interval }

// quiet: no new buffered metric for this long means the flush is over.
func (e *Env) quiet() time.Duration { return time.Second + 2*e.CLI.Interval }

const shutdownGrace = 5 * time.Second

// Run is one scraper process with its own mock inverter and sink.
type Run struct {
	env         *Env
	inv         *Inverter
	sink        *Sink
	proc        *Scraper
	ReconnectAt time.Time
	LastPre     int // newest scrape id served before the sink came back
}

// harnessError marks a failure of the harness itself, never the program's.
type harnessError struct{ error }

func (e *Env) start(race bool, bufferSize int) (*Run, error) {
	inv, err := StartInverter()
	if err != nil {
		return nil, harnessError{err}
	}
	sink, err := StartSink()
	if err != nil {
		inv.Close()
		return nil, harnessError{err}
	}
	bin, prefix, rssLimit := e.Binary, e.Prefix, int64(0) // plain runs have their address-space limit
	if race {
		bin, prefix, rssLimit = e.RaceBinary, e.RacePrefix, e.RaceRSS
	}
	proc, err := StartScraper(prefix, e.UIDBase, bin, e.CLI.Args(inv.Host(), sink.URL(), bufferSize), e.ProcEnv, rssLimit)
	if err != nil {
		inv.Close()
		sink.Close()
		return nil, harnessError{err}
	}
	return &Run{env: e, inv: inv, sink: sink, proc: proc}, nil
}

func (r *Run) close() {
	r.proc.Kill()
	r.inv.Close()
	r.sink.Close()
}

// waitFor polls cond until it holds, the process exits, or timeout passes.
func (r *Run) waitFor(cond func() bool, timeout time.Duration) bool {
	end := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if r.proc.Exited() || time.Now().After(end) {
			return cond()
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ids is the set of scrape ids delivered (after since, when not zero).
func (r *Run) ids(since time.Time) map[int]bool {
	got := map[int]bool{}
	for _, d := range r.sink.Deliveries() {
		if d.ID > 0 && !d.At.Before(since) {
			got[d.ID] = true
		}
	}
	return got
}

// waitLive waits until n metrics scraped after the id `after` have been
// delivered. Some programs deliver even live metrics only from a periodic
// flush (every 10 s is common), so the deadline is the flush deadline.
func (r *Run) waitLive(after, n int) bool {
	return r.waitLiveWithin(after, n, r.env.flushDeadline()+r.env.budget(n)-10*time.Second)
}

// waitLiveWithin is waitLive with an explicit deadline.
func (r *Run) waitLiveWithin(after, n int, timeout time.Duration) bool {
	return r.waitFor(func() bool {
		count := 0
		for id := range r.ids(time.Time{}) {
			if id > after {
				count++
			}
		}
		return count >= n
	}, timeout)
}

// outage takes the sink offline until n scrapes were served; it returns the
// first and last scrape id served while the sink was offline.
func (r *Run) outage(mode SinkMode, n int) (int, int, error) {
	if err := r.sink.SetMode(mode); err != nil {
		return 0, 0, harnessError{err}
	}
	first := r.inv.Served() + 1
	if !r.waitFor(func() bool { return r.inv.Served() >= first+n-1 }, r.env.budget(n)) {
		return first, r.inv.Served(), fmt.Errorf("only %d of %d scrapes during the outage (%s)", r.inv.Served()-first+1, n, r.why())
	}
	return first, r.inv.Served(), nil
}

// reconnect pauses the inverter until the scraper has come back for two more
// scrapes (so every metric scraped so far has met the offline sink), then
// brings the sink back; the inverter resumes unless keepPaused.
func (r *Run) reconnect(keepPaused bool) error {
	r.inv.SetPaused(true)
	base := r.inv.Refused()
	r.waitFor(func() bool { return r.inv.Refused() >= base+2 }, r.env.budget(2))
	time.Sleep(2 * r.env.CLI.Interval)
	r.LastPre = r.inv.Served()
	r.ReconnectAt = time.Now()
	if err := r.sink.SetMode(SinkOnline); err != nil {
		return harnessError{err}
	}
	if !keepPaused {
		r.inv.SetPaused(false)
	}
	return nil
}

// deliveredBefore is the set of ids delivered before the sink came back.
func (r *Run) deliveredBefore() map[int]bool {
	got := map[int]bool{}
	for _, d := range r.sink.Deliveries() {
		if d.ID > 0 && d.At.Before(r.ReconnectAt) {
			got[d.ID] = true
		}
	}
	return got
}

// flushed waits for the metrics scraped before the reconnect to arrive, until
// none has arrived for quiet() (or flushDeadline() without any); it returns
// the candidates (scraped before the reconnect, not delivered before it) in
// order and the set of them delivered after the reconnect.
func (r *Run) flushed() ([]int, map[int]bool) {
	before := r.deliveredBefore()
	var candidates []int
	for id := 1; id <= r.LastPre; id++ {
		if !before[id] {
			candidates = append(candidates, id)
		}
	}
	count := func() int {
		n := 0
		for id := range r.ids(r.ReconnectAt) {
			if id <= r.LastPre && !before[id] {
				n++
			}
		}
		return n
	}
	end := time.Now().Add(r.env.flushDeadline())
	last, lastChange := 0, time.Now()
	for time.Now().Before(end) && !r.proc.Exited() {
		n := count()
		if n != last {
			last, lastChange = n, time.Now()
		}
		if n > 0 && time.Since(lastChange) >= r.env.quiet() {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	got := map[int]bool{}
	for id := range r.ids(r.ReconnectAt) {
		if id <= r.LastPre && !before[id] {
			got[id] = true
		}
	}
	return candidates, got
}

// why explains a stalled run: the process ended, crashed, or just did not deliver.
func (r *Run) why() string {
	if c := r.proc.Crashed(); c != "" {
		return "crashed: " + c
	}
	if r.proc.Exited() {
		return "exited early (" + r.proc.ExitDescription() + "): " + r.proc.out.excerpt("")
	}
	malformed, _ := r.sink.Counts()
	if malformed > 0 {
		return fmt.Sprintf("%d writes were not a JSON Metric", malformed)
	}
	return "still running"
}

func sortedIDs(set map[int]bool) []int {
	out := make([]int, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	sort.Ints(out)
	return out
}

func missing(want []int, got map[int]bool) []int {
	var out []int
	for _, id := range want {
		if !got[id] {
			out = append(out, id)
		}
	}
	return out
}

func span(first, last int) []int {
	var out []int
	for id := first; id <= last; id++ {
		out = append(out, id)
	}
	return out
}
