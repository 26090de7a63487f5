package webhook

import (
	"context"
	"sync"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/event"
)

// BusDepth is the bus subscription of a followed deliverer: it only
// enqueues, so a short buffer rides out bursts.
const BusDepth = 1024

// Follow subscribes d to bus and delivers every event, taking the
// [[webhook]] tables of the config that current returns before each one:
// a reload that changes them applies to the next event, and a receiver
// that did not change keeps its queue. The stop it returns ends the
// subscription and the loop, then closes d (queued events are counted as
// discarded); it is idempotent.
func Follow(bus *event.Bus, d *Deliverer, current func() *config.Config) (stop func()) {
	events, unsubscribe := bus.Subscribe(BusDepth)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		var applied *config.Config
		for {
			select {
			case <-ctx.Done():
				return
			case e := <-events:
				if cfg := current(); cfg != applied {
					d.SetReceivers(ReceiversFrom(cfg.Webhooks))
					applied = cfg
				}
				d.Deliver(e)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			unsubscribe()
			<-done
			d.Close()
		})
	}
}

// ReceiversFrom converts [[webhook]] tables for the deliverer.
func ReceiversFrom(ws []config.Webhook) []Receiver {
	out := make([]Receiver, 0, len(ws))
	for _, w := range ws {
		out = append(out, Receiver{URL: w.URL, Secret: w.Secret.Reveal(), Events: w.Events,
			Timeout: w.Timeout.D(), MaxAttempts: w.MaxAttempts, QueueSize: w.QueueSize})
	}
	return out
}
