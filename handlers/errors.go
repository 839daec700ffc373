package handlers

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"lianzhu/domain"
)

// statusOf is the ONE table from domain error codes to HTTP statuses; an
// unknown code is a bug and reported as internal.
func statusOf(code string) (int, bool) {
	switch code {
	case domain.EINVALID:
		return fiber.StatusBadRequest, true
	case domain.EUNAUTHORIZED:
		return fiber.StatusUnauthorized, true
	case domain.EFORBIDDEN:
		return fiber.StatusForbidden, true
	case domain.ENOTFOUND:
		return fiber.StatusNotFound, true
	case domain.ECONFLICT:
		return fiber.StatusConflict, true
	case domain.ETOOLARGE:
		return fiber.StatusRequestEntityTooLarge, true
	case domain.EUNSUPPORTED:
		return fiber.StatusUnsupportedMediaType, true
	case domain.ETOOMANY:
		return fiber.StatusTooManyRequests, true
	case domain.EUNAVAILABLE:
		return fiber.StatusServiceUnavailable, true
	case domain.EINTERNAL:
		return fiber.StatusInternalServerError, true
	}
	return 0, false
}

// ErrorBody is the one JSON shape of every failure.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code      string              `json:"code"`
	Message   string              `json:"message"`
	Fields    []domain.FieldError `json:"fields,omitempty"`
	RequestID string              `json:"request_id"`
}

// fromFiber turns Fiber's own errors (unknown route, body too large, bad
// method) into domain errors so they share the shape.
func fromFiber(err error) error {
	var fe *fiber.Error
	if !errors.As(err, &fe) {
		return err
	}
	switch fe.Code {
	case fiber.StatusNotFound:
		return domain.Errorf(domain.ENOTFOUND, "没有这个接口 / no such endpoint")
	case fiber.StatusMethodNotAllowed:
		return domain.Errorf(domain.ENOTFOUND, "不支持该方法 / method not allowed")
	case fiber.StatusRequestEntityTooLarge:
		return domain.Errorf(domain.ETOOLARGE, "请求体过大 / request body too large")
	case fiber.StatusUnsupportedMediaType:
		return domain.Errorf(domain.EUNSUPPORTED, "不支持的内容类型 / unsupported content type")
	case fiber.StatusBadRequest:
		return domain.Errorf(domain.EINVALID, "请求格式错误 / malformed request")
	case fiber.StatusRequestTimeout:
		return domain.Errorf(domain.EUNAVAILABLE, "请求超时 / request timed out")
	}
	if fe.Code >= 500 {
		return err
	}
	return domain.Errorf(domain.EINVALID, "%s", fe.Message)
}

// errorHandler is Fiber's ErrorHandler: every error any handler or
// middleware returns is written here, in the one shape.
func (s *server) errorHandler(c *fiber.Ctx, err error) error {
	err = fromFiber(err)
	code := domain.ErrorCode(err)
	status, ok := statusOf(code)
	if !ok {
		code, status = domain.EINTERNAL, fiber.StatusInternalServerError
	}
	rid := requestID(c)
	if code == domain.EINTERNAL {
		s.log.Error("internal error", "request_id", rid, "method", c.Method(), "path", c.Path(), "err", err.Error())
	}
	body := ErrorBody{Error: ErrorDetail{Code: code, Message: domain.ErrorMessage(err), RequestID: rid}}
	var de *domain.Error
	if errors.As(err, &de) {
		body.Error.Fields = de.Fields
		if de.RetryAfter > 0 {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(de.RetryAfter))
		}
	}
	if code == domain.EUNAUTHORIZED {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="lianzhu"`)
	}
	return c.Status(status).JSON(body)
}
