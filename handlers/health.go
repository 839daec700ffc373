package handlers

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Pinger is a backing service whose reachability /readyz reports.
type Pinger interface {
	Ping(ctx context.Context) error
}

// healthz answers while the process is alive.
func healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz checks every backing service and names those that are down.
func (s *server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	checks := fiber.Map{}
	var down []string
	for _, name := range []string{"mongodb", "meilisearch"} {
		p := s.deps.Ready[name]
		if p == nil {
			continue
		}
		if err := p.Ping(ctx); err != nil {
			checks[name] = "down"
			down = append(down, name)
			continue
		}
		checks[name] = "ok"
	}
	if len(down) > 0 {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{
			"status": "unavailable", "checks": checks, "down": down,
			"error": ErrorDetail{Code: "unavailable", Message: "后端服务不可用 / unavailable: " + strings.Join(down, ", "), RequestID: requestID(c)},
		})
	}
	return c.JSON(fiber.Map{"status": "ok", "checks": checks})
}
