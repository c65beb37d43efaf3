//go:build !race

package routing_test

const raceOn = false // see race_on_test.go
