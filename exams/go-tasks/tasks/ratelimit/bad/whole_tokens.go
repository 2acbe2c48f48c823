package ratelimit

import (
	"math"
	"sync"
	"time"
)

// Clock tells the current time.
type Clock interface{ Now() time.Time }

// Limiter is a token bucket.
type Limiter struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
	clock  Clock
}

// New returns a full limiter of rate events per second and the given burst.
func New(rate float64, burst int, clock Clock) *Limiter {
	return &Limiter{rate: rate, burst: float64(burst), tokens: float64(burst), last: clock.Now(), clock: clock}
}

func (l *Limiter) refill() {
	now := l.clock.Now()
	l.tokens = min(l.burst, l.tokens+math.Floor(now.Sub(l.last).Seconds()*l.rate))
	l.last = now
}

// Allow takes a token if one is available now.
func (l *Limiter) Allow() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refill()
	if l.tokens >= 1 {
		l.tokens--
		return true
	}
	return false
}

// Reserve takes a token and returns how long to wait before using it.
func (l *Limiter) Reserve() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refill()
	l.tokens--
	if l.tokens >= 0 {
		return 0
	}
	return time.Duration(-l.tokens / l.rate * float64(time.Second))
}
