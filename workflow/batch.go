package workflow

import (
	"context"
	"errors"
	"fmt"

	"github.com/wangge-dev/wangge/data"
)

// BatchOption tunes SubmitBatch.
type BatchOption func(*batchOpts)

type batchOpts struct {
	progress func(done, total int)
}

// WithProgress calls fn while the reports are written, with the number
// written so far and the total (see data.WithProgress). They are written in
// one transaction: until SubmitBatch returns nil none of them is committed.
func WithProgress(fn func(done, total int)) BatchOption {
	return func(o *batchOpts) { o.progress = fn }
}

// SubmitBatch imports many reports, all or nothing: it validates every
// intake first (the first invalid one is a *data.ValidationError with its
// Index), then routes them and writes them with one Store.CreateReports
// call, one transaction — if it fails (the database goes away, ctx is
// cancelled), nothing is written and the import can simply be run again.
// Intake.At (zero = now) is the creation time and DueAt follows from it;
// Source defaults to import. Idempotency keys and duplicate flagging are
// not applied. Only command_center and planner may import (ErrForbidden
// otherwise; nil actor ErrUnauthenticated).
func (s *Service) SubmitBatch(ctx context.Context, actor *data.Person, ins []Intake, opts ...BatchOption) ([]data.Report, error) {
	if actor == nil {
		return nil, ErrUnauthenticated
	}
	if !hasAnyRole(actor, data.RoleCommandCenter, data.RolePlanner) {
		return nil, fmt.Errorf("import: %w", ErrForbidden)
	}
	var o batchOpts
	for _, f := range opts {
		f(&o)
	}
	now := s.now()
	out := make([]data.Report, len(ins))
	for i := range ins {
		in := ins[i]
		if in.Source == "" {
			in.Source = data.SourceImport
		}
		at := in.At
		if at.IsZero() {
			at = now
		}
		r, err := s.prepare(ctx, actor, &in, at.UTC())
		if err != nil {
			var ve *data.ValidationError
			if errors.As(err, &ve) {
				c := *ve
				c.Index = i
				return nil, &c
			}
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
		out[i] = r
	}
	if o.progress != nil {
		ctx = data.WithProgress(ctx, o.progress)
	}
	if err := s.createRouted(ctx, out, func(ctx context.Context) error { return s.store.CreateReports(ctx, out) }); err != nil {
		return nil, fmt.Errorf("nothing written: %w", err)
	}
	return out, nil
}
