// Package workflowtest holds test helpers for packages built on workflow:
// a small fixture district (areas, one building, one person per role, a
// router for it) to load into a real store (internal/teststores).
// Production code never imports it.
package workflowtest
