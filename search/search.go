// Package search keeps Lianzhu's Meilisearch indexes: settings, document
// mapping, queries and keeping the index in step with the store. MongoDB is
// the truth; everything here can be rebuilt from it.
package search

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"lianzhu/domain"
)

// Client talks to one Meilisearch server.
type Client struct {
	ms  meilisearch.ServiceManager
	url string
}

// Connect returns a client for url with the key, after checking that the
// server answers and accepts the key.
func Connect(ctx context.Context, url, key string) (*Client, error) {
	// Go asks for gzip unless told not to, and Meilisearch then streams a
	// compressed response in pieces that the TCP stack holds back for the
	// 40 ms of a delayed ACK: measured, a search of 5 ms answered in 50.
	// Search responses are small and Meilisearch is near; no compression.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DisableCompression = true
	ms := meilisearch.New(url,
		meilisearch.WithAPIKey(key),
		meilisearch.WithCustomClient(&http.Client{Timeout: 10 * time.Second, Transport: transport}),
	)
	c := &Client{ms: ms, url: url}
	if _, err := ms.Version(ctx); err != nil {
		return nil, domain.Errorf(domain.EUNAVAILABLE, "Meilisearch at %s is not reachable or refused the key: %v", url, err)
	}
	return c, nil
}

// Ping reports whether Meilisearch answers and is available; an error is
// EUNAVAILABLE.
func (c *Client) Ping(ctx context.Context) error {
	h, err := c.ms.Health(ctx)
	if err != nil || h.Status != "available" {
		return domain.Errorf(domain.EUNAVAILABLE, "Meilisearch is not reachable")
	}
	return nil
}

// Close releases the client's connections.
func (c *Client) Close() { c.ms.Close() }

// String names the server for logs.
func (c *Client) String() string { return fmt.Sprintf("meilisearch(%s)", c.url) }
