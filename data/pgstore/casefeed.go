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

// AnnounceCase implements data.CaseFeed: pg_notify on the case channel
// ("wangge_case", suffixed with the schema like the revisions' channel),
// payload "origin id event".
func (s *Store) AnnounceCase(ctx context.Context, c data.CaseChange) error {
	if strings.ContainsRune(c.Origin, ' ') || strings.ContainsRune(c.Event, ' ') {
		return fmt.Errorf("pgstore: announce case: origin and event must not contain spaces")
	}
	_, err := s.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, s.caseChannel, c.Origin+" "+strconv.FormatInt(c.ReportID, 10)+" "+c.Event)
	return translate("announce case", err)
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
