// Package dnstest is a test helper, imported by _test.go files only: a host
// name that fails to resolve, answered by a loopback DNS server. Apart
// from testkit because it starts a goroutine, and testkit is imported by
// the packages whose tests run without the race detector (TestRaceFreePackages).
package dnstest

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
)

// Unresolvable is a URL whose host is under .invalid (RFC 2606), resolved by
// a loopback DNS server that answers every query "no such name": the
// lookup fails the way it would in production, and nothing leaves the
// machine. The resolver is swapped in net.DefaultResolver, which the
// client's dialer and the event loop's lookup use, until stop is called
// (a test that calls it must not run in parallel with another that
// resolves names); stop fails the test if the server saw no query.
func Unresolvable(t *testing.T) (string, func()) {
	t.Helper()
	const url = "http://loadplan-test.invalid/"
	req, _ := http.NewRequest("GET", url, nil)
	if p, _ := http.ProxyFromEnvironment(req); p != nil {
		t.Skipf("HTTP_PROXY is set (%s): the lookup would be the proxy's", p)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var queries atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp, ok := nxdomain(buf[:n]); ok {
				queries.Add(1)
				pc.WriteTo(resp, from)
			}
		}
	}()
	dnsAddr := pc.LocalAddr().String()
	saved := net.DefaultResolver
	net.DefaultResolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", dnsAddr)
	}}
	stop := func() {
		net.DefaultResolver = saved
		pc.Close()
		wg.Wait()
		if queries.Load() == 0 {
			t.Error("the loopback DNS server saw no query: the name was resolved elsewhere")
		}
	}
	return url, stop
}

// nxdomain answers a DNS query "no such name": the query's header and
// question with QR, RA and RCODE 3 set and no other records.
func nxdomain(q []byte) ([]byte, bool) {
	if len(q) < 12 || q[2]&0x80 != 0 {
		return nil, false
	}
	i := 12
	for i < len(q) && q[i] != 0 {
		if q[i]&0xc0 != 0 {
			return nil, false // no compression in a question we sent
		}
		i += int(q[i]) + 1
	}
	end := i + 1 + 4 // root label, type, class
	if end > len(q) {
		return nil, false
	}
	resp := append([]byte(nil), q[:end]...)
	resp[2] = 0x80 | q[2]&0x01 // response, recursion desired as asked
	resp[3] = 0x80 | 3         // recursion available, NXDOMAIN
	resp[4], resp[5] = 0, 1    // one question
	clear(resp[6:12])          // no answer, authority or additional records
	return resp, true
}
