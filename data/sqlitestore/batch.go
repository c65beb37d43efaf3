package sqlitestore

import (
	"context"
	"database/sql"
	"strings"
)

// batch inserts rows with multi-row VALUES lists, per rows per statement:
// one prepared statement for full batches, one more for the rest. It saves
// the per-call overhead of database/sql on bulk loads (placeholders only).
type batch struct {
	ctx  context.Context
	tx   *sql.Tx
	head string // "INSERT INTO t (a, b) VALUES "
	cols int
	per  int
	full *sql.Stmt
	buf  []any
}

func newBatch(ctx context.Context, tx *sql.Tx, head string, cols int) (*batch, error) {
	per := max(1, min(100, 30000/cols)) // SQLite allows 32766 parameters
	full, err := tx.PrepareContext(ctx, head+valuesList(cols, per))
	if err != nil {
		return nil, err
	}
	return &batch{ctx: ctx, tx: tx, head: head, cols: cols, per: per, full: full, buf: make([]any, 0, cols*per)}, nil
}

func valuesList(cols, rows int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}

// add queues one row of b.cols values.
func (b *batch) add(vals ...any) error {
	b.buf = append(b.buf, vals...)
	if len(b.buf) < b.cols*b.per {
		return nil
	}
	_, err := b.full.ExecContext(b.ctx, b.buf...)
	b.buf = b.buf[:0]
	return err
}

// flush writes the queued rows and releases the statement.
func (b *batch) flush() error {
	defer b.full.Close()
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.tx.ExecContext(b.ctx, b.head+valuesList(b.cols, len(b.buf)/b.cols), b.buf...)
	b.buf = b.buf[:0]
	return err
}
