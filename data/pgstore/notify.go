package pgstore

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Backoff bounds of the listener's reconnects.
const (
	listenBackoffMin = 50 * time.Millisecond
	listenBackoffMax = 5 * time.Second
)

// Revisions implements data.Notifier with LISTEN on a dedicated connection
// (not taken from the pool; application_name "wangge-listen <schema>").
// After every (re)connect and LISTEN it first sends the current revision, so
// a listener that missed notifications while disconnected catches up; then
// it sends each id announced by a committed write, in commit order. A lost
// connection is re-established with exponential backoff (50 ms … 5 s). The
// channel is closed when ctx ends. The receiver should drain it promptly:
// while it does not, notifications wait in the connection's buffer.
func (s *Store) Revisions(ctx context.Context) (<-chan int64, error) {
	cfg := s.pool.Config().ConnConfig.Copy()
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = "wangge-listen " + s.schema
	// Fail fast when the database is unreachable right now.
	conn, err := s.listen(ctx, cfg, s.channel)
	if err != nil {
		return nil, translate("listen", err)
	}
	out := make(chan int64, 16)
	go s.listenLoop(ctx, cfg, conn, out)
	return out, nil
}

func (s *Store) listen(ctx context.Context, cfg *pgx.ConnConfig, channel string) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return conn, nil
}

func (s *Store) listenLoop(ctx context.Context, cfg *pgx.ConnConfig, conn *pgx.Conn, out chan<- int64) {
	defer close(out)
	backoff := listenBackoffMin
	for {
		if conn == nil {
			var err error
			if conn, err = s.listen(ctx, cfg, s.channel); err != nil {
				select {
				case <-time.After(backoff):
				case <-ctx.Done():
					return
				}
				backoff = min(2*backoff, listenBackoffMax)
				continue
			}
			backoff = listenBackoffMin
		}
		s.serve(ctx, conn, out)
		conn.Close(context.WithoutCancel(ctx))
		conn = nil
		if ctx.Err() != nil {
			return
		}
	}
}

// serve sends the current revision, then every notified id, until the
// connection fails or ctx ends.
func (s *Store) serve(ctx context.Context, conn *pgx.Conn, out chan<- int64) {
	// Catch up: the current revision, read on the listening connection after
	// LISTEN, so nothing committed later can be missed.
	var cur int64
	if err := conn.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM revisions`).Scan(&cur); err != nil {
		return
	}
	id := cur
	for {
		select {
		case out <- id:
		case <-ctx.Done():
			return
		}
		for {
			n, err := conn.WaitForNotification(ctx)
			if err != nil {
				return
			}
			if id, err = strconv.ParseInt(n.Payload, 10, 64); err == nil {
				break
			}
		}
	}
}
