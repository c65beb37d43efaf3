package pgstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

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
	cfg := s.pool.Config().ConnConfig.Copy()
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = "wangge-cases " + s.schema
	conn, err := s.listen(ctx, cfg, s.caseChannel)
	if err != nil {
		return nil, translate("listen", err)
	}
	out := make(chan data.CaseChange, 256)
	go func() {
		defer close(out)
		backoff := listenBackoffMin
		for first := true; ; first = false {
			if conn == nil {
				if conn, err = s.listen(ctx, cfg, s.caseChannel); err != nil {
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
			if !first {
				select {
				case out <- data.CaseChange{Event: "reload"}:
				case <-ctx.Done():
				}
			}
			for {
				n, err := conn.WaitForNotification(ctx)
				if err != nil {
					break
				}
				f := strings.Fields(n.Payload)
				if len(f) != 3 {
					continue
				}
				id, err := strconv.ParseInt(f[1], 10, 64)
				if err != nil {
					continue
				}
				select {
				case out <- data.CaseChange{Origin: f[0], ReportID: id, Event: f[2]}:
				case <-ctx.Done():
				}
			}
			conn.Close(context.WithoutCancel(ctx))
			conn = nil
			if ctx.Err() != nil {
				return
			}
		}
	}()
	return out, nil
}
