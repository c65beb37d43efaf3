package data

import "context"

type progressKey struct{}

// ProgressStep is how many reports CreateReports writes between two calls
// of the function given to WithProgress.
const ProgressStep = 5000

// WithProgress returns a context under which Store.CreateReports calls fn
// with the number of reports written so far and the total, every
// ProgressStep reports and after the last one. The rows are written inside
// the call's single transaction: nothing is visible, and nothing stays
// written if the call fails, until CreateReports returns nil.
func WithProgress(ctx context.Context, fn func(done, total int)) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// ProgressOf returns the function that WithProgress put in ctx, or one that
// does nothing. For Store implementations: call it as ProgressOf(ctx)(i+1, n)
// after row i whenever ProgressDue(i+1, n).
func ProgressOf(ctx context.Context) func(done, total int) {
	if fn, ok := ctx.Value(progressKey{}).(func(done, total int)); ok && fn != nil {
		return fn
	}
	return func(int, int) {}
}

// ProgressDue reports whether the progress function is due after done of
// total rows.
func ProgressDue(done, total int) bool { return done%ProgressStep == 0 || done == total }
