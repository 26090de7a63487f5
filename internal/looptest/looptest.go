// Package looptest gives tests a pion SettingEngine that keeps ICE on
// loopback: the tests' peers (viewers, WHIP endpoints, publishers) gather
// on interface lo only, with loopback candidates and no mDNS, so no test
// reaches past 127.0.0.1. Only tests import it.
package looptest

import (
	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
)

// SettingEngine returns a SettingEngine gathering on lo only, loopback
// candidates included, mDNS off, over networks (UDP over IPv4 when none
// are given).
func SettingEngine(networks ...webrtc.NetworkType) webrtc.SettingEngine {
	if len(networks) == 0 {
		networks = []webrtc.NetworkType{webrtc.NetworkTypeUDP4}
	}
	var se webrtc.SettingEngine
	se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes(networks)
	return se
}
