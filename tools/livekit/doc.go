// Package livekit is the test of mediagate handing a stream to an existing
// distributed engine: a two-node LiveKit cluster (livekit-server built from
// the Go module proxy by scripts/livekit-server.sh, the nodes sharing one
// Debian redis-server), run whole inside a network namespace the test
// creates and removes. mediagate forwards a camera by WHIP to node A's
// /whip/v1 (gateway/forward); a subscriber written with LiveKit's Go SDK
// joins through node B and counts the frames it receives.
//
// The namespace has lo and one veth pair whose one end holds 10.78.0.1,
// the address of every server in the test, and no route out: LiveKit's SDK
// and servers gather no loopback candidates and reach for mDNS and every
// host address, so loopback alone cannot hold them. configs/livekit holds
// the nodes' configuration and configs/examples/livekit.toml mediagate's;
// docs/scaling-livekit.md runs the same files by hand.
//
// The package has no code outside its test: it sits in the module only
// so that go vet, staticcheck and make test see the test.
package livekit
