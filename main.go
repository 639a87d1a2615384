// Command visitbot is the field-force assistant for WeCom and DingTalk. It
// only calls the CLI (package cli); see README.md for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"visitbot/cli"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(cli.Main(ctx, version, os.Args[1:], os.Stdout, os.Stderr, os.Environ()))
}
