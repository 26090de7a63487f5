package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"mediagate.dev/mediagate/gateway"
	"mediagate.dev/mediagate/gateway/config"
)

const defaultConfig = "/etc/mediagate/mediagate.toml"

// version is stamped at build time with -ldflags "-X main.version=…" from
// packaging/deb/changelog (see scripts/build.sh).
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

// run starts the gateway on the config file and supervises it until
// SIGTERM or SIGINT: see supervisor.
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
	log, level := newLogger(cfg.Log)
	gateway.Version = version
	if err := config.CheckFileMode(path, cfg); err != nil {
		log.Warn("config file mode", "err", err)
	}

	// Subscribe before anything can be ready: a SIGHUP is never lost.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	opts := []gateway.Option{gateway.WithLogLevel(level)}
	passed, err := activatedSockets(log)
	if err != nil {
		log.Error("start failed", "err", err)
		return 1
	}
	if passed.http != nil {
		opts = append(opts, gateway.WithHTTPListener(passed.http))
	}
	opts = append(opts, gateway.WithTURNSockets(passed.turn))
	gw, err := gateway.New(cfg, log, opts...)
	if err != nil {
		log.Error("start failed", "err", err)
		return 1
	}
	if err := newSupervisor(gw, path, log).run(ctx, hup); err != nil {
		log.Error("stopped with error", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}
