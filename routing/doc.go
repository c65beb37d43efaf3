// Package routing is wangge's domain router: it turns a lon/lat point into
// the grid, the grid leader (or the fallback for a vacant post), the
// community and the street that must handle a report, and says how the
// point was matched.
//
// Build makes an immutable Snapshot from a data.Partition (one revision);
// a Router holds the current snapshot in an atomic.Pointer so that Route
// takes no lock, does not allocate, and never sees half a partition; Swap,
// Reload and Watch (LISTEN/NOTIFY through data.Notifier) replace it whole.
// The geometry rules (boundary tie-break, nearest, near border) are those
// of geo.Index, which routing/oracle checks against PostGIS.
//
// routing imports data and geo only: no HTTP, no SQL.
package routing
