package main

import "errors"

// Sentinel errors of the benchmark; callers wrap them with %w and context.
var (
	// errNotRoot reports that the benchmark was started without root, which it
	// needs for the network namespace Janus runs in.
	errNotRoot = errors.New("must run as root (it creates a network namespace and a veth pair for Janus): try sudo go run ./bench/fanout")
	// errStatFormat reports a /proc file this benchmark cannot parse.
	errStatFormat = errors.New("unexpected /proc format")
	// errNotReady reports a server that did not come up in time.
	errNotReady = errors.New("server not ready")
	// errJanus reports an error answer of the Janus API.
	errJanus = errors.New("janus API error")
	// errWHEP reports a WHEP request that mediagate refused.
	errWHEP = errors.New("WHEP request refused")
	// errViewer reports a viewer that failed to connect or to receive media.
	errViewer = errors.New("viewer failed")
	// errJoin reports viewers that did not join (connected and receiving)
	// within the join timeout.
	errJoin = errors.New("failed to join")
	// errNoMedia reports that the RTP sender produced nothing.
	errNoMedia = errors.New("no RTP from the sender")
	// errNoSubnet reports that no free 10.77.x.0/30 subnet was found.
	errNoSubnet = errors.New("no free 10.77.x.0/30 subnet for the veth pair")
	// errMissingTool reports an external program the benchmark needs.
	errMissingTool = errors.New("required program not found")
	// errProfile reports a profile the gateway did not serve.
	errProfile = errors.New("profile not served")
)

// errSoak reports a soak that missed its goal.
var errSoak = errors.New("soak goal missed")
