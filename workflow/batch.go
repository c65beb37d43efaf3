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
	chunk    int
}

// WithProgress calls fn after each chunk is committed with the number of
// reports written so far and the total.
func WithProgress(fn func(done, total int)) BatchOption {
	return func(o *batchOpts) { o.progress = fn }
}

// WithChunk overrides Config.BatchChunk for one call.
func WithChunk(n int) BatchOption {
	return func(o *batchOpts) {
		if n > 0 {
			o.chunk = n
		}
	}
}

// SubmitBatch imports many reports: it validates every intake first (the
// first invalid one is a *data.ValidationError with its Index, and nothing
// is written), then routes them and writes them through
// Store.CreateReports in chunks of Config.BatchChunk, each chunk one
// transaction. If a chunk fails, the chunks before it stay written; the
// error says how many. Intake.At (zero = now) is the creation time and
// DueAt follows from it; Source defaults to import. Idempotency keys and
// duplicate flagging are not applied. Only command_center and planner may
// import (ErrForbidden otherwise; nil actor ErrUnauthenticated).
func (s *Service) SubmitBatch(ctx context.Context, actor *data.Person, ins []Intake, opts ...BatchOption) ([]data.Report, error) {
	if actor == nil {
		return nil, ErrUnauthenticated
	}
	if !hasAnyRole(actor, data.RoleCommandCenter, data.RolePlanner) {
		return nil, fmt.Errorf("import: %w", ErrForbidden)
	}
	o := batchOpts{chunk: s.cfg.BatchChunk}
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
		r.Routing = s.route(r.Location[0], r.Location[1])
		out[i] = r
	}
	for start := 0; start < len(out); start += o.chunk {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("import stopped after %d of %d reports: %w", start, len(out), err)
		}
		end := min(start+o.chunk, len(out))
		chunk := out[start:end]
		if err := s.store.CreateReports(ctx, chunk); err != nil {
			return nil, fmt.Errorf("import stopped after %d of %d reports: %w", start, len(out), err)
		}
		if o.progress != nil {
			o.progress(end, len(out))
		}
	}
	return out, nil
}
