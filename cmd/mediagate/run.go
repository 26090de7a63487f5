package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/coreos/go-systemd/v22/daemon"

	"mediagate.dev/mediagate/gateway"
	"mediagate.dev/mediagate/gateway/config"
)

const defaultConfig = "/etc/mediagate/mediagate.toml"

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

func configFlag(name string, args []string) (string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	path := fs.String("c", defaultConfig, "config file")
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		return "", fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return *path, nil
}

func checkConfig(args []string) int {
	path, err := configFlag("check-config", args)
	if err != nil {
		return 2
	}
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s:\n", path)
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(os.Stderr, "  %s\n", line)
		}
		return 1
	}
	if err := config.CheckFileMode(path, cfg); err != nil {
		fmt.Fprintf(os.Stderr, "warning: %v\n", err)
	}
	fmt.Printf("%s: ok\n", path)
	return 0
}

func run(args []string) int {
	path, err := configFlag("run", args)
	if err != nil {
		return 2
	}
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "mediagate: %v\n", err)
		return 1
	}
	log := newLogger(cfg.Log)
	gateway.Version = version

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	gw, err := gateway.New(cfg, log)
	if err != nil {
		log.Error("start failed", "err", err)
		return 1
	}
	notify(log, daemon.SdNotifyReady, "STATUS="+gw.Status())
	go func() {
		<-ctx.Done()
		notify(log, daemon.SdNotifyStopping)
	}()
	if err := gw.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("stopped with error", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

// notify tells systemd about a state change when it runs us as Type=notify;
// elsewhere it does nothing.
func notify(log *slog.Logger, states ...string) {
	if _, err := daemon.SdNotify(false, strings.Join(states, "\n")); err != nil {
		log.Warn("sd_notify failed", "err", err)
	}
}

func newLogger(c config.Log) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.Level)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
