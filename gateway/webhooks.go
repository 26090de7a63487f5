package gateway

import (
	"context"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/webhook"
)

// webhookBusDepth is the bus subscription of the webhook deliverer: it
// only enqueues, so a short buffer rides out bursts.
const webhookBusDepth = 1024

// hooks runs the webhook deliverer on the event bus.
type hooks struct {
	d      *webhook.Deliverer
	cancel func() // ends the bus subscription and the loop
	done   chan struct{}
}

// startWebhooks subscribes a webhook deliverer to the bus. It takes the
// [[webhook]] tables of the running config before each event it
// delivers, so a reload that changes them applies to the next event, and a
// receiver that did not change keeps its queue. New calls it.
func (g *Gateway) startWebhooks() {
	d := &webhook.Deliverer{Log: g.log.With("component", "webhook"), Metrics: webhook.NewMetrics(g.reg)}
	events, unsubscribe := g.bus.Subscribe(webhookBusDepth)
	ctx, stop := context.WithCancel(context.Background())
	h := &hooks{d: d, cancel: func() { stop(); unsubscribe() }, done: make(chan struct{})}
	g.hooks = h
	go func() {
		defer close(h.done)
		g.runWebhooks(ctx, events)
	}()
}

// runWebhooks delivers events until ctx ends, with the receivers of the
// config running when each arrives.
func (g *Gateway) runWebhooks(ctx context.Context, events <-chan event.Event) {
	var applied *config.Config
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-events:
			if cfg := g.config(); cfg != applied {
				g.hooks.d.SetReceivers(receivers(cfg.Webhooks))
				applied = cfg
			}
			g.hooks.d.Deliver(e)
		}
	}
}

// stopWebhooks ends the deliveries; queued events are counted as
// discarded. It is idempotent.
func (g *Gateway) stopWebhooks() {
	if g.hooks == nil {
		return
	}
	g.hooks.cancel()
	<-g.hooks.done
	g.hooks.d.Close()
}

// receivers converts [[webhook]] tables for the deliverer.
func receivers(ws []config.Webhook) []webhook.Receiver {
	out := make([]webhook.Receiver, 0, len(ws))
	for _, w := range ws {
		out = append(out, webhook.Receiver{URL: w.URL, Secret: w.Secret.Reveal(), Events: w.Events,
			Timeout: w.Timeout.D(), MaxAttempts: w.MaxAttempts, QueueSize: w.QueueSize})
	}
	return out
}
