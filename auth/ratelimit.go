package auth

import (
	"math"
	"sync"
	"time"
)

// LoginLimiter counts failed logins per username and per client address in a
// sliding window and refuses further attempts once a limit is reached. It is
// in memory: with several replicas each keeps its own count, which still
// bounds guessing to replicas × limit per window.
type LoginLimiter struct {
	mu        sync.Mutex
	window    time.Duration
	perUser   int
	perAddr   int
	now       func() time.Time
	failures  map[string][]time.Time
	lastSweep time.Time
}

// NewLoginLimiter allows perUser failures for one username+address pair and
// perAddr failures for one address within window.
func NewLoginLimiter(window time.Duration, perUser, perAddr int, now func() time.Time) *LoginLimiter {
	if now == nil {
		now = time.Now
	}
	return &LoginLimiter{window: window, perUser: perUser, perAddr: perAddr, now: now, failures: map[string][]time.Time{}}
}

func userKey(username, addr string) string { return "u\x00" + username + "\x00" + addr }
func addrKey(addr string) string           { return "a\x00" + addr }

// Allow returns 0 when an attempt may be made, or how long to wait.
func (l *LoginLimiter) Allow(username, addr string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	wait := l.wait(userKey(username, addr), l.perUser, now)
	if w := l.wait(addrKey(addr), l.perAddr, now); w > wait {
		wait = w
	}
	return wait
}

// Fail records a failed attempt.
func (l *LoginLimiter) Fail(username, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range []string{userKey(username, addr), addrKey(addr)} {
		l.failures[k] = append(l.prune(k, now), now)
	}
}

// Succeed forgets the failures of one username at one address.
func (l *LoginLimiter) Succeed(username, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, userKey(username, addr))
}

// RetryAfterSeconds rounds a wait up to whole seconds, at least 1.
func RetryAfterSeconds(d time.Duration) int {
	return int(math.Max(1, math.Ceil(d.Seconds())))
}

func (l *LoginLimiter) wait(key string, limit int, now time.Time) time.Duration {
	times := l.prune(key, now)
	if len(times) < limit {
		return 0
	}
	// The oldest failure that keeps the count at the limit must leave the window.
	return times[len(times)-limit].Add(l.window).Sub(now)
}

func (l *LoginLimiter) prune(key string, now time.Time) []time.Time {
	times := l.failures[key]
	i := 0
	for i < len(times) && now.Sub(times[i]) >= l.window {
		i++
	}
	times = times[i:]
	if len(times) == 0 {
		delete(l.failures, key)
		return nil
	}
	l.failures[key] = times
	return times
}

// sweep drops stale keys now and then so the map does not grow without bound.
func (l *LoginLimiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < l.window {
		return
	}
	l.lastSweep = now
	for k := range l.failures {
		l.prune(k, now)
	}
}
