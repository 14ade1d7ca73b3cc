package runner

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/simtarget"
)

// loadLedger is the ground truth of who loaded a simulated service: it
// notes each request as it arrives, before the service sees it (the
// service's own Served counts those it finished). The run's requests go to
// a path no one else uses (path), so that they are told apart from
// anything else that reaches the port; every other request but a
// GET /metrics scrape is kept with its method, path, User-Agent, client
// address and the process holding the client's socket, so that a test
// that finds one can say who sent it.
type loadLedger struct {
	path   string
	start  time.Time
	run    atomic.Int64
	mu     sync.Mutex // guards other and strays
	other  []string   // the first maxStrays of the requests neither the run's nor a scrape
	strays int
}

// maxStrays is how many stray requests the ledger names.
const maxStrays = 10

// startLedgerSim starts the simulated service for cfg behind a ledger on a
// loopback port; the run's requests are to go to URL + ledger.path.
func startLedgerSim(t *testing.T, cfg simtarget.Config) (*simtarget.Server, *httptest.Server, *loadLedger) {
	t.Helper()
	sim := simtarget.New(cfg)
	l := &loadLedger{path: fmt.Sprintf("/run-%d", time.Now().UnixNano()), start: time.Now()}
	next := sim.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == simtarget.MetricsPath:
		case r.URL.Path == l.path:
			l.run.Add(1)
		default:
			l.mu.Lock()
			l.strays++
			if len(l.other) < maxStrays {
				// Named while the client's socket is open; a flood is
				// counted, its first few named.
				who := socketHolder(r.RemoteAddr, r.Context().Value(http.LocalAddrContextKey))
				l.other = append(l.other, fmt.Sprintf("%s %s from %s (User-Agent %q, %s) %.3f s after the service started",
					r.Method, r.RequestURI, r.RemoteAddr, r.UserAgent(), who, time.Since(l.start).Seconds()))
			}
			l.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return sim, srv, l
}

// others returns the requests that were neither the run's nor a scrape.
func (l *loadLedger) others() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := append([]string(nil), l.other...)
	if more := l.strays - len(l.other); more > 0 {
		out = append(out, fmt.Sprintf("and %d more", more))
	}
	return out
}

// socketHolder names the process holding the client end of the loopback
// connection from client to the server's local address (Linux, from /proc:
// the socket's inode in /proc/net/tcp, then the process whose fd is that
// socket), or says why it cannot.
func socketHolder(client string, local any) string {
	la, ok := local.(net.Addr)
	if !ok {
		return "sender unknown: no local address"
	}
	hexAddr := func(s string) string {
		ap, err := net.ResolveTCPAddr("tcp", s)
		if err != nil || ap.IP.To4() == nil {
			return ""
		}
		ip := ap.IP.To4()
		return fmt.Sprintf("%02X%02X%02X%02X:%04X", ip[3], ip[2], ip[1], ip[0], ap.Port)
	}
	from, to := hexAddr(client), hexAddr(la.String())
	table, err := os.ReadFile("/proc/net/tcp")
	if err != nil || from == "" || to == "" {
		return fmt.Sprintf("sender unknown (%v)", err)
	}
	inode := ""
	for _, line := range strings.Split(string(table), "\n") {
		if f := strings.Fields(line); len(f) > 9 && f[1] == from && f[2] == to {
			inode = f[9]
		}
	}
	if inode == "" {
		return "sender unknown: its socket is gone"
	}
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range fds {
		if link, err := os.Readlink(fd); err == nil && link == "socket:["+inode+"]" {
			pid, _ := strconv.Atoi(strings.Split(fd, "/")[2])
			cmd, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
			name := strings.SplitN(string(cmd), "\x00", 2)[0]
			if pid == os.Getpid() {
				return fmt.Sprintf("sent by this test process, fd %s", filepath.Base(fd))
			}
			return fmt.Sprintf("sent by PID %d %s", pid, name)
		}
	}
	return "sender unknown: no process holds socket " + inode
}

// TestLoadLedger: the ledger counts the run's requests (its path) apart
// from the rest, leaves GET /metrics out, and names who sent a stray
// request (here this process, whose client end the ledger finds in /proc
// on Linux).
func TestLoadLedger(t *testing.T) {
	_, srv, l := startLedgerSim(t, simtarget.Config{Workers: 2, ServiceTime: time.Millisecond, Distribution: simtarget.Fixed})
	for _, path := range []string{l.path, l.path, "/", simtarget.MetricsPath} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	other := l.others()
	if l.run.Load() != 2 || len(other) != 1 || !strings.HasPrefix(other[0], "GET / from 127.0.0.1:") {
		t.Fatalf("run's requests %d, others %q; want 2 and one GET /", l.run.Load(), other)
	}
	if runtime.GOOS == "linux" && !strings.Contains(other[0], "sent by this test process, fd ") {
		t.Errorf("the stray request's sender is not named: %s", other[0])
	}
}
