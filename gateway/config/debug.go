package config

import "time"

// maxStallAfter bounds debug.stall_media_loop_after.
const maxStallAfter = time.Hour

// Debug is the [debug] table: fault injection for mediagate's own system
// test, which must prove that the systemd watchdog restarts a gateway whose
// media loops are stuck. Every switch is off when the table is left out,
// the shipped config only mentions it in a comment, and a gateway that has
// one on says so in its log and its systemd status. Never set it in
// production.
type Debug struct {
	// StallMediaLoopAfter, when not zero, blocks every ingest read loop
	// for good this long after the gateway starts, or after the reload
	// that sets it: the loops stop heartbeating and the watchdog, which
	// systemd expects, is no longer sent.
	StallMediaLoopAfter Duration `toml:"stall_media_loop_after"`
}

// FaultInjection reports whether any fault-injection switch is on.
func (d Debug) FaultInjection() bool { return d.StallMediaLoopAfter != 0 }

func (d *Debug) validate(p *problems) {
	if d.StallMediaLoopAfter != 0 {
		p.durationIn("debug.stall_media_loop_after", d.StallMediaLoopAfter, 0, maxStallAfter)
	}
}
