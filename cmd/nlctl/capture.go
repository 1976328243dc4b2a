//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/netlinkgo/netlink/nlpcap"
)

// A pcapFile records the datagrams of one netlink protocol in a pcap file.
// It is a netlink.Capturer, safe for use by
// several Conns at once.
type pcapFile struct {
	family int // the netlink protocol, for the cooked header

	mu  sync.Mutex
	f   *os.File
	bw  *bufio.Writer
	w   *nlpcap.Writer
	err error // the first write error
}

// createPcap creates the capture file path for netlink protocol family.
func createPcap(path string, family int) (*pcapFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriter(f)
	w, err := nlpcap.NewWriter(bw)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &pcapFile{family: family, f: f, bw: bw, w: w}, nil
}

// CaptureDatagram writes one datagram, sent or received. It is flushed at once, so
// that a monitor killed by a signal leaves a complete capture.
func (p *pcapFile) CaptureDatagram(sent bool, b []byte) {
	dir := nlpcap.Received
	if sent {
		dir = nlpcap.Sent
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return
	}
	p.err = p.w.WritePacket(nlpcap.Packet{Time: time.Now(), Family: p.family, Direction: dir, Data: b})
	if p.err == nil {
		p.err = p.bw.Flush()
	}
}

// Close closes the file and returns the first error met while writing it.
func (p *pcapFile) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.bw.Flush(); p.err == nil {
		p.err = err
	}
	if err := p.f.Close(); p.err == nil {
		p.err = err
	}
	if p.err != nil {
		return fmt.Errorf("writing capture %s: %w", p.f.Name(), p.err)
	}
	return nil
}
