package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"lianzhu/auth"
	"lianzhu/domain"
)

const (
	localRequestID = "lianzhu.request_id"
	localPrincipal = "lianzhu.principal"
	headerRequest  = "X-Request-ID"
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// requestID returns the request's id, creating one if middleware has not run
// (Fiber calls the error handler for requests rejected before routing).
func requestID(c *fiber.Ctx) string {
	if id, ok := c.Locals(localRequestID).(string); ok && id != "" {
		return id
	}
	id := auth.RandomToken(12)
	c.Locals(localRequestID, id)
	c.Set(headerRequest, id)
	return id
}

// withRequestID takes a sane incoming X-Request-ID (from a proxy) or makes one.
func withRequestID(c *fiber.Ctx) error {
	id := c.Get(headerRequest)
	if !requestIDPattern.MatchString(id) {
		id = auth.RandomToken(12)
	}
	c.Locals(localRequestID, id)
	c.Set(headerRequest, id)
	return c.Next()
}

// recoverPanics turns a panic into an internal error with the stack logged.
func (s *server) recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic", "request_id", requestID(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = errors.New("panic in handler")
		}
	}()
	return c.Next()
}

// observe logs every request and feeds the metrics, after the error handler
// has set the final status.
func (s *server) observe(c *fiber.Ctx) error {
	start := s.now()
	err := c.Next()
	if err != nil {
		if herr := s.errorHandler(c, err); herr != nil {
			return herr
		}
	}
	elapsed := s.now().Sub(start)
	route := "unmatched"
	if r := c.Route(); r != nil && r.Path != "/" && r.Path != "" {
		route = r.Path
	}
	if route == "/*" || route == "*" {
		route = "ui"
	}
	status := c.Response().StatusCode()
	// Fiber's strings point into reused buffers; labels outlive the request.
	s.metrics.observe(strings.Clone(c.Method()), strings.Clone(route), status, elapsed)
	attrs := []any{"request_id", requestID(c), "method", c.Method(), "route", route, "path", c.Path(),
		"status", status, "duration_ms", float64(elapsed.Microseconds()) / 1000, "ip", c.IP()}
	if p, ok := c.Locals(localPrincipal).(domain.Principal); ok {
		attrs = append(attrs, "user", p.Username)
	}
	switch {
	case status >= 500:
		s.log.Error("request", attrs...)
	case route == "/healthz" || route == "/readyz" || route == "/metrics":
		s.log.Debug("request", attrs...)
	default:
		s.log.Info("request", attrs...)
	}
	return nil
}

// authenticate verifies the Bearer token and stores the caller. Every
// /api/v1 route behind it has a principal; routes before it are public.
func (s *server) authenticate(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		return domain.Errorf(domain.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	p, err := s.tokens.Verify(token)
	if err != nil {
		return err
	}
	c.Locals(localPrincipal, p)
	return c.Next()
}

// principal returns the authenticated caller (authenticate has run).
func principal(c *fiber.Ctx) domain.Principal {
	p, _ := c.Locals(localPrincipal).(domain.Principal)
	return p
}

// authorize is the one role-and-place check every endpoint calls first: the
// caller must have one of roles, and when place is given, their scope must
// cover it.
func authorize(c *fiber.Ctx, place string, roles ...domain.Role) (domain.Principal, error) {
	p := principal(c)
	if p.UserID == "" {
		return p, domain.Errorf(domain.EUNAUTHORIZED, "请先登录 / sign in first")
	}
	return p, p.Authorize(place, roles...)
}

// anyRole lists every role, for endpoints open to all signed-in users.
func anyRole() []domain.Role { return domain.Roles() }

// decodeJSON reads a JSON body strictly: the content type must be JSON, the
// body one object, no unknown fields. Errors name the field.
func decodeJSON(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(c.Get(fiber.HeaderContentType), ";")[0]))
	if ct != fiber.MIMEApplicationJSON {
		return domain.Errorf(domain.EUNSUPPORTED, "请求须为 application/json / body must be application/json")
	}
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return domain.Invalid("body", "format", "请求体只能包含一个 JSON 对象 / body must be a single JSON object")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return domain.Invalid("body", "json", "JSON 格式错误（第 "+strconv.FormatInt(syn.Offset, 10)+" 字节）/ malformed JSON")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return domain.Invalid(field, "type", "应为 "+typ.Type.String()+" 类型 / wrong type, want "+typ.Type.String())
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return domain.Invalid(name, "unknown", "未知字段 / unknown field")
	case errors.Is(err, io.EOF):
		return domain.Invalid("body", "required", "请求体为空 / empty body")
	}
	return domain.Invalid("body", "json", "JSON 格式错误 / malformed JSON")
}

// securityHeaders sets conservative defaults for the UI and API.
func securityHeaders(c *fiber.Ctx) error {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "no-referrer")
	return c.Next()
}

// importPath is the one route that takes bodies above the JSON limit.
const importPath = "/imports"

// limitBody answers 413 for a body above the JSON limit, except uploads to
// the import route, which get the import limit (the server's own ceiling).
func limitBody(jsonLimit, importLimit int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		limit := jsonLimit
		if c.Method() == fiber.MethodPost && c.Path() == "/api/v1"+importPath {
			limit = importLimit + 64<<10
		}
		if len(c.Request().Body()) > limit {
			return domain.Errorf(domain.ETOOLARGE, "请求体过大（上限 %d KB）/ request body too large (limit %d KB)", limit>>10, limit>>10)
		}
		return c.Next()
	}
}
