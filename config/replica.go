package config

import (
	"fmt"
	"os"
)

// DefaultReplica is host-pid: the name a process records on what it claims
// (job slots, outbox rows), so a claim can be told apart from another
// replica's and taken over when its owner died.
func DefaultReplica() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "visitbot"
	}
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}
