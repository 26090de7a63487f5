// Package event is mediagate's one event bus. Every part of the gateway that
// sees something an operator cares about (a stream going up, a viewer joining,
// a sender latched or rejected, a transcoder starting) publishes an Event here;
// the API serves them as Server-Sent Events, webhooks POST them, and the bus
// logs each one.
//
// Publishing never blocks: every subscriber owns a bounded channel, and a
// subscriber that falls behind loses events, which are counted.
package event
