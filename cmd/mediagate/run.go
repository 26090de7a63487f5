package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

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
		printProblems(path, err)
		return 1
	}
	// The files the config names are checked as the gateway would load
	// them: a missing certificate or a key that does not match fails.
	certs, err := cfg.CheckCertificates()
	if err != nil {
		printProblems(path, err)
		return 1
	}
	for _, c := range certs {
		if w := c.Warning(time.Now()); w != "" {
			fmt.Fprintf(os.Stderr, "warning: %s\n", w)
		}
	}
	if err := config.CheckFileMode(path, cfg); err != nil {
		fmt.Fprintf(os.Stderr, "warning: %v\n", err)
	}
	fmt.Printf("%s: ok\n", path)
	return 0
}

// printProblems prints err's problems, one a line, under the file's path.
func printProblems(path string, err error) {
	fmt.Fprintf(os.Stderr, "%s:\n", path)
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(os.Stderr, "  %s\n", line)
	}
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
