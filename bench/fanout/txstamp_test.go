package main

import (
	"net"
	"testing"
)

// TestTxStamps sends from a socket with send timestamps on and checks that
// the kernel's stamp of each send lies within the write call, on monoNow's
// clock, and that the queue holds nothing more afterwards.
func TestTxStamps(t *testing.T) {
	in, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := net.DialUDP("udp4", nil, in.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	tx, err := newTxStamps(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tx.last(); ok {
		t.Fatal("a stamp before any send")
	}
	for i := range 5 {
		before := monoNow()
		if _, err := out.Write([]byte{0x80, 96, 0, byte(i)}); err != nil {
			t.Fatal(err)
		}
		after := monoNow()
		at, ok := tx.last()
		if !ok || at < before || at > after {
			t.Errorf("send %d: stamp %d (%v), want within [%d, %d]", i, at, ok, before, after)
		}
		if _, ok := tx.last(); ok {
			t.Errorf("send %d: a second stamp", i)
		}
	}
}
