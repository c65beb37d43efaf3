package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/workflow"
)

// Error is an error with the HTTP status and the curated message a client
// sees. Code is a stable machine-readable word ("bad_request", "not_found" …).
type Error struct {
	Status  int
	Code    string
	Message string
	Index   *int           // position of the offending item of a batch, when known
	Extra   map[string]any // extra fields for the error body (e.g. allowed transitions)
	Cause   error          // logged, never sent
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Cause }

// badRequest returns a 400 naming the problem.
func badRequest(msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "bad_request", Message: msg}
}

func errStatus(status int, code, msg string) *Error {
	return &Error{Status: status, Code: code, Message: msg}
}

// handlerFunc is a handler that returns an error instead of writing one.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// adapt turns a handlerFunc into an http.Handler with the error mapping.
func (s *Server) adapt(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// writeError maps err to status + JSON. Domain sentinels are translated;
// anything unknown is a 500 with a generic message and the cause logged.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *Error
	var ve *data.ValidationError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &mbe):
		ae = errStatus(http.StatusRequestEntityTooLarge, "too_large", "request body larger than "+itoa(int(mbe.Limit))+" bytes")
	case errors.As(err, &ve):
		ae = &Error{Status: http.StatusBadRequest, Code: "invalid", Message: ve.Error()}
		if ve.Index >= 0 {
			i := ve.Index
			ae.Index = &i
		}
	case errors.Is(err, workflow.ErrRoutingBehind):
		ae = errStatus(http.StatusServiceUnavailable, "routing_behind", "the routing index is catching up with a newly published revision; nothing was written, try again")
		w.Header().Set("Retry-After", "1")
	case errors.Is(err, data.ErrNotFound):
		ae = errStatus(http.StatusNotFound, "not_found", "not found")
	case errors.Is(err, data.ErrConflict):
		ae = errStatus(http.StatusConflict, "conflict", err.Error())
	case errors.Is(err, data.ErrInvalid):
		ae = errStatus(http.StatusBadRequest, "invalid", err.Error())
	case errors.Is(err, data.ErrBusy):
		ae = errStatus(http.StatusServiceUnavailable, "busy", "the store is busy with another writer (an import?); nothing was written, try again")
		w.Header().Set("Retry-After", "5")
	case errors.Is(err, context.Canceled):
		ae = errStatus(499, "canceled", "request canceled")
	case errors.Is(err, context.DeadlineExceeded):
		ae = errStatus(http.StatusServiceUnavailable, "timeout", "the request took too long")
	default:
		ae = &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error", Cause: err}
	}
	if ae.Status >= 500 {
		s.counters.serverErrors.Add(1)
		s.log.Error("request failed", "request_id", requestID(r.Context()), "method", r.Method, "path", r.URL.Path, "status", ae.Status, "err", err)
	} else {
		s.counters.clientErrors.Add(1)
		s.log.Debug("request rejected", "request_id", requestID(r.Context()), "path", r.URL.Path, "status", ae.Status, "err", err)
	}
	body := map[string]any{"code": ae.Code, "message": ae.Message}
	if ae.Index != nil {
		body["index"] = *ae.Index
	}
	for k, v := range ae.Extra {
		body[k] = v
	}
	writeJSON(w, ae.Status, map[string]any{"error": body})
}
