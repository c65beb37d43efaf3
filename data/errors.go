package data

import (
	"errors"
	"strconv"
)

// Sentinel errors. Stores translate their driver's errors into these at the
// store boundary (wrapped with %w), so that api can map them to HTTP status.
var (
	// ErrNotFound: the requested object does not exist (or is not visible to the caller).
	ErrNotFound = errors.New("not found")
	// ErrConflict: a unique key is already taken, or a state transition is not allowed.
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the input breaks a rule of the domain (bad geometry, missing parent …).
	ErrInvalid = errors.New("invalid input")
	// ErrBusy: another writer held the store longer than the store waits
	// (the embedded store has one writer at a time: a large import, say).
	// Nothing was written; the same request can be tried again.
	ErrBusy = errors.New("store busy")
)

// ValidationError names what is wrong with one item of a batch (an imported
// feature, a point of a routing batch). Index is 0-based in input order; -1
// when the problem is not tied to one item. It unwraps to ErrInvalid.
type ValidationError struct {
	Index  int    // 0-based position of the offending item, or -1
	Field  string // the field or property at fault, when known
	Reason string // human-readable reason
}

func (e *ValidationError) Error() string {
	msg := e.Reason
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Index >= 0 {
		return "item " + strconv.Itoa(e.Index) + ": " + msg
	}
	return msg
}

func (e *ValidationError) Unwrap() error { return ErrInvalid }
