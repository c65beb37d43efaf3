// Package workflowtest holds test helpers for packages built on workflow:
// a small fixture district (areas, one building, one person per role, a
// router for it) and MemStore, an in-memory data.Store with just what
// workflow uses. Production code never imports it.
package workflowtest
