package main

import (
	"context"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"

	"mediagate.dev/mediagate/gateway/config"
)

// statusEvery is how often STATUS= is refreshed when systemd asks for no
// watchdog.
const statusEvery = 5 * time.Second

// service is what the supervisor needs of a gateway.Gateway.
type service interface {
	Run(ctx context.Context) error
	Reload(cfg *config.Config) error
	Status() string
	Notes() []string
	StuckLoops() []string
}

// supervisor runs a gateway as a systemd service (Type=notify): READY=1
// once it serves, STATUS= with streams and viewers, WATCHDOG=1 only while
// every media loop is alive, RELOADING=1 … READY=1 around each reload on
// SIGHUP, STOPPING=1 and a drain on SIGTERM.
type supervisor struct {
	gw       service
	path     string // the config file reloads read
	log      *slog.Logger
	n        *notifier
	watchdog time.Duration // WatchdogSec; 0 when systemd wants no pings
	load     func(path string) (*config.Config, error)

	reloadErr string   // why the last reload failed; "" after a good one
	stuck     []string // the stuck loops last logged
}

func newSupervisor(gw service, path string, log *slog.Logger) *supervisor {
	wd, err := daemon.SdWatchdogEnabled(false)
	if err != nil {
		log.Warn("WATCHDOG_USEC is not usable; no watchdog", "err", err)
	}
	return &supervisor{gw: gw, path: path, log: log, n: newNotifier(log), watchdog: wd, load: config.Load}
}

// run serves until ctx ends or the gateway stops by itself. hup delivers
// reload requests; it should be buffered by one, as signal.Notify fills
// it: a SIGHUP that arrives during a reload queues one more reload and
// any further ones fold into it.
func (s *supervisor) run(ctx context.Context, hup <-chan os.Signal) error {
	errc := make(chan error, 1)
	go func() { errc <- s.gw.Run(ctx) }()
	s.n.notify(daemon.SdNotifyReady, status(s.status()))
	tick := time.NewTicker(s.tickEvery())
	defer tick.Stop()
	for {
		select {
		case <-hup:
			s.reload()
		case <-tick.C:
			s.tick()
		case <-ctx.Done():
			s.n.notify(daemon.SdNotifyStopping, status("stopping: draining "+s.gw.Status()))
			s.log.Info("stopping: draining viewer sessions", "status", s.gw.Status())
			return <-errc
		case err := <-errc:
			return err
		}
	}
}

// tickEvery is half the watchdog interval, as sd_watchdog_enabled(3)
// advises, or statusEvery without a watchdog.
func (s *supervisor) tickEvery() time.Duration {
	if s.watchdog > 0 {
		return s.watchdog / 2
	}
	return statusEvery
}

// tick pings the watchdog while every media loop is alive and refreshes
// STATUS=. A stuck loop withholds the ping, so systemd restarts us.
func (s *supervisor) tick() {
	stuck := s.gw.StuckLoops()
	if !slices.Equal(stuck, s.stuck) {
		if len(stuck) > 0 {
			s.log.Error("media loops are stuck; withholding the watchdog ping", "loops", strings.Join(stuck, ","))
		} else {
			s.log.Info("media loops are alive again")
		}
		s.stuck = stuck
	}
	msg := []string{status(s.status())}
	if s.watchdog > 0 && len(stuck) == 0 {
		msg = append(msg, daemon.SdNotifyWatchdog)
	}
	s.n.notify(msg...)
}

// reload reads and applies the config file. A file that does not load or
// validate, or a change the gateway refuses, leaves the running config as
// it was; the reason goes to the log and to STATUS= until a reload
// succeeds.
func (s *supervisor) reload() {
	s.n.notify(reloading()...)
	err := s.apply()
	if err != nil {
		s.reloadErr = "reload failed, running on the previous config: " + firstLines(err, 3)
		s.log.Error("reload failed; running on the previous config", "path", s.path, "err", err)
	} else {
		s.reloadErr = ""
	}
	s.n.notify(daemon.SdNotifyReady, status(s.status()))
}

func (s *supervisor) apply() error {
	cfg, err := s.load(s.path)
	if err != nil {
		return err
	}
	if err := config.CheckFileMode(s.path, cfg); err != nil {
		s.log.Warn("config file mode", "err", err)
	}
	return s.gw.Reload(cfg)
}

// status is the STATUS= line: streams and viewers, then anything the
// operator should know (a failed reload, settings waiting for a restart,
// stuck loops, fault injection).
func (s *supervisor) status() string {
	parts := []string{s.gw.Status()}
	if s.reloadErr != "" {
		parts = append(parts, s.reloadErr)
	}
	if len(s.stuck) > 0 {
		parts = append(parts, "media loops stuck: "+strings.Join(s.stuck, ","))
	}
	parts = append(parts, s.gw.Notes()...)
	return strings.Join(parts, "; ")
}

// firstLines joins the first n lines of err's message with "; ".
func firstLines(err error, n int) string {
	lines := strings.Split(err.Error(), "\n")
	more := len(lines) > n
	lines = lines[:min(n, len(lines))]
	out := strings.Join(lines, "; ")
	if more {
		out += "; …"
	}
	return out
}
