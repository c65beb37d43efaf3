//go:build race

package routing_test

// raceOn: built with -race. The PostGIS agreement tests then use their
// -short sizes: scripts/test.sh runs them at full size in its next pass
// (without -race), and under the race detector they would take minutes
// while checking nothing concurrent.
const raceOn = true
