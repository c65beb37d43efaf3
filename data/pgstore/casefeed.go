package pgstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/wangge-dev/wangge/data"
)

var _ data.CaseFeed = (*Store)(nil)

// AnnounceCases implements data.CaseFeed: one pg_notify per change on the
// case channel ("wangge_case", suffixed with the schema like the
// revisions' channel), payload "origin id event", all in one statement
// (in order; identical ones collapse, as PostgreSQL does in a transaction).
func (s *Store) AnnounceCases(ctx context.Context, cs []data.CaseChange) error {
	if len(cs) == 0 {
		return nil
	}
	payloads := make([]string, len(cs))
	for i, c := range cs {
		if c.Origin == "" || strings.ContainsRune(c.Origin, ' ') || c.Event == "" || strings.ContainsRune(c.Event, ' ') {
			return fmt.Errorf("pgstore: announce case %d: origin and event must be single words", c.ReportID)
		}
		payloads[i] = c.Origin + " " + strconv.FormatInt(c.ReportID, 10) + " " + c.Event
	}
	_, err := s.pool.Exec(ctx, `SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p`, s.caseChannel, payloads)
	return translate("announce cases", err)
}

// CaseChanges implements data.CaseFeed with LISTEN on a dedicated
// connection (application_name "wangge-cases <schema>"), reconnecting with
// the same backoff as Revisions; after every reconnect it first delivers
// Event "reload".
func (s *Store) CaseChanges(ctx context.Context) (<-chan data.CaseChange, error) {
	cfg := s.listenConfig("wangge-cases")
	conn, err := s.listen(ctx, cfg, s.caseChannel)
	if err != nil {
		return nil, translate("listen", err)
	}
	out := make(chan data.CaseChange, 256)
	send := func(c data.CaseChange) {
		select {
		case out <- c:
		case <-ctx.Done():
		}
	}
	go func() {
		defer close(out)
		s.keepListening(ctx, cfg, s.caseChannel, conn, func(conn *pgx.Conn, reconnected bool) {
			if reconnected {
				send(data.CaseChange{Event: "reload"})
			}
			for {
				n, err := conn.WaitForNotification(ctx)
				if err != nil {
					return
				}
				f := strings.Fields(n.Payload)
				if len(f) != 3 {
					continue
				}
				if id, err := strconv.ParseInt(f[1], 10, 64); err == nil {
					send(data.CaseChange{Origin: f[0], ReportID: id, Event: f[2]})
				}
			}
		})
	}()
	return out, nil
}
