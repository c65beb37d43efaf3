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
	cfg := s.listenConfig("wangge-listen")
	// Fail fast when the database is unreachable right now.
	conn, err := s.listen(ctx, cfg, s.channel)
	if err != nil {
		return nil, translate("listen", err)
	}
	out := make(chan int64, 16)
	go func() {
		defer close(out)
		s.keepListening(ctx, cfg, s.channel, conn, func(conn *pgx.Conn, _ bool) { s.serve(ctx, conn, out) })
	}()
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

// listenConfig is the pool's connection config for a dedicated listening
// connection named app (application_name "app <schema>").
func (s *Store) listenConfig(app string) *pgx.ConnConfig {
	cfg := s.pool.Config().ConnConfig.Copy()
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = app + " " + s.schema
	return cfg
}

// keepListening runs serve on conn until it returns (the connection
// failed), then reconnects to channel with exponential backoff (50 ms …
// 5 s) and runs it again, telling it that it reconnected, until ctx ends.
func (s *Store) keepListening(ctx context.Context, cfg *pgx.ConnConfig, channel string, conn *pgx.Conn, serve func(conn *pgx.Conn, reconnected bool)) {
	backoff := listenBackoffMin
	for reconnected := false; ; reconnected = true {
		if conn == nil {
			var err error
			if conn, err = s.listen(ctx, cfg, channel); err != nil {
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
		serve(conn, reconnected)
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
