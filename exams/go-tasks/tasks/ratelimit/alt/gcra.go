package ratelimit

import (
	"sync"
	"time"
)

// Clock tells the current time.
type Clock interface{ Now() time.Time }

// Limiter counts no tokens: it keeps the theoretical arrival time (tat) of the next event, as
// the generic cell rate algorithm (GCRA, ITU-T I.371) does. The bucket is full when tat is not
// after now, and each event moves tat one interval later.
type Limiter struct {
	mu       sync.Mutex
	interval time.Duration // 1/rate
	burst    time.Duration // burst * interval: how far tat may run ahead of now
	tat      time.Time
	clock    Clock
}

// New returns a full limiter of rate events per second and the given burst.
func New(rate float64, burst int, clock Clock) *Limiter {
	interval := time.Duration(float64(time.Second) / rate)
	return &Limiter{interval: interval, burst: time.Duration(burst) * interval, tat: clock.Now(), clock: clock}
}

// Allow takes a token if one is available now.
func (l *Limiter) Allow() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	tat := l.tat
	if tat.Before(now) {
		tat = now
	}
	if tat.Add(l.interval).Sub(now) > l.burst {
		return false
	}
	l.tat = tat.Add(l.interval)
	return true
}

// Reserve takes a token and returns how long to wait before using it.
func (l *Limiter) Reserve() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if l.tat.Before(now) {
		l.tat = now
	}
	l.tat = l.tat.Add(l.interval)
	return max(0, l.tat.Sub(now)-l.burst)
}
