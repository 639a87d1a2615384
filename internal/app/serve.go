package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Serve runs HTTP and background work until ctx ends, then shuts down
// gracefully within server.shutdown_timeout.
func (a *App) Serve(ctx context.Context, ready func(ctx context.Context, bound string) error) error {
	cfg := a.Config
	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (server.addr): %w", cfg.Server.Addr, err)
	}
	srv := &http.Server{
		Handler:           a.Server().Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	bgCtx, stopBg := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBg()
	var bg sync.WaitGroup
	if err := a.StartBackground(bgCtx, &bg); err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	bound := displayAddr(ln.Addr().String())
	if cfg.Web.SessionSecret == "" {
		a.Log.Warn("web.session_secret is empty: generated a random one; sign-ins end at restart and are not shared between replicas")
	}
	a.Log.Info("visitbot listening", "addr", ln.Addr().String(), "version", a.version, "database", cfg.Database.Driver)
	if ready != nil {
		if err := ready(ctx, bound); err != nil {
			srv.Close()
			return err
		}
	}
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http server: %w", err)
		}
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "timeout", cfg.Server.ShutdownTimeout.String())
	shutCtx, cancel := context.WithTimeout(context.Background(), cfg.Server.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		a.Log.Warn("http shutdown incomplete", "err", err)
	}
	stopBg()
	done := make(chan struct{})
	go func() { bg.Wait(); close(done) }()
	select {
	case <-done:
	case <-shutCtx.Done():
		a.Log.Warn("background work did not finish before the shutdown timeout")
	}
	a.Log.Info("stopped")
	return nil
}

func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
