package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"lianzhu/auth"
	"lianzhu/domain"
	"lianzhu/handlers"
	"lianzhu/store"
)

// The demo's closed loop (issue 5 item 11): referrals in every state, open
// and worked volunteer tasks, service records with ratings, complaints,
// yellow and red providers with their reasons, voucher ledgers, a monthly
// settlement, job applications and consent changes. Every write goes
// through the same HTTP API a district uses — the handlers, their checks and
// their effects — served in process on a clock set back to the day each
// step would have happened, so that cases are stuck for as long as the case
// list says, last month's services settle, and ratings fall inside the
// lights' window. Only the choice of cases reads the store directly.

// demoClock is the in-process API's clock.
type demoClock struct{ unix atomic.Int64 }

func (c *demoClock) now() time.Time  { return time.Unix(0, c.unix.Load()).UTC() }
func (c *demoClock) set(t time.Time) { c.unix.Store(t.UnixNano()) }

// demoAPI calls the API in process as a named demo account.
type demoAPI struct {
	app    *fiber.App
	clock  *demoClock
	tokens *auth.Tokens
	db     *store.DB
	mu     sync.Mutex
	users  map[string]domain.User // by username
	failed map[string]int         // what failed, by step, for the log
	first  map[string]string      // the first failure of each step
}

// apiError is a non-2xx answer.
type apiError struct {
	status int
	body   string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.status, e.body) }

// newDemoAPI builds the API over deps with the demo clock and its own token
// issuer (a random key: its tokens are valid on the demo clock and nowhere
// else).
func newDemoAPI(deps handlers.Deps, db *store.DB) (*demoAPI, error) {
	a := &demoAPI{clock: &demoClock{}, db: db, users: map[string]domain.User{}, failed: map[string]int{},
		first: map[string]string{}}
	a.clock.set(time.Now())
	tokens, err := auth.NewTokens([]byte(auth.RandomToken(32)), time.Hour, a.clock.now)
	if err != nil {
		return nil, err
	}
	a.tokens = tokens
	deps.Now, deps.Tokens = a.clock.now, tokens
	deps.Limiter = nil                                           // the demo signs in by token, never by password
	deps.Logger = slog.New(slog.NewTextHandler(io.Discard, nil)) // its 4xx answers are expected
	a.app = handlers.New(deps)
	return a, nil
}

// token returns an access token of the demo account username, issued at
// the demo clock's time: the clock moves back and forth between cases, so a
// token is never reused.
func (a *demoAPI) token(ctx context.Context, username string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.users[username]
	if !ok {
		var err error
		if u, err = a.db.UserByUsername(ctx, username); err != nil {
			return "", fmt.Errorf("demo account %s: %w", username, err)
		}
		a.users[username] = u
	}
	return a.tokens.Issue(u)
}

// call sends one request as username at the demo clock's time and decodes
// a 2xx answer into out (when not nil).
func (a *demoAPI) call(ctx context.Context, as, method, path string, body, out any) error {
	tok, err := a.token(ctx, as)
	if err != nil {
		return err
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.app.Test(req, -1)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return &apiError{status: resp.StatusCode, body: string(data)}
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// step runs one call and counts its failure under what (the loop goes on:
// a demo case that does not fit is skipped, never fatal).
func (a *demoAPI) step(ctx context.Context, what, as, method, path string, body, out any) bool {
	err := a.call(ctx, as, method, path, body, out)
	if err != nil {
		a.mu.Lock()
		if a.failed[what]++; a.failed[what] == 1 {
			a.first[what] = truncate(err.Error(), 300)
		}
		a.mu.Unlock()
	}
	return err == nil
}

// daysAgo is a working-day hour in China, days before now.
func daysAgo(now time.Time, days, hour, minute int) time.Time {
	cn := now.In(domain.ChinaZone())
	d := time.Date(cn.Year(), cn.Month(), cn.Day(), hour, minute, 0, 0, domain.ChinaZone()).AddDate(0, 0, -days)
	if d.After(now) {
		d = now.Add(-time.Minute)
	}
	return d.UTC()
}

// truncate cuts s to at most n bytes (on a rune boundary).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
