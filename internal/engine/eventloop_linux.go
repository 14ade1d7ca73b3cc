//go:build linux

package engine

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/scenario"
)

// The open model's event loop (ADR 0019, issue #18): one goroutine, locked
// to its thread, sends every start of a plain HTTP/1.1 schedule on raw
// non-blocking sockets and waits for all of them in one epoll_pwait2,
// whose timeout is the time to the next due start, to the nanosecond. No
// goroutine per request, no hand-off, no runtime timer: a start costs its
// write, its read and its share of one wait.

// elConn is one keep-alive connection of the loop, with at most one
// request in flight (no pipelining).
type elConn struct {
	fd    int
	idx   int32 // its place in eventLoop.conns (the epoll event's data)
	state uint8
	// The request in flight: its request's wire form, what of it has been
	// written, its sample, when it times out (offset from the epoch) and
	// its place in the timeout queue.
	fp    *fastPrepared
	wrote int
	s     metrics.Sample
	until int64
	seq   uint64
	got   bool  // bytes of the response have arrived
	at    int64 // the kernel's receive time of the last bytes read (CLOCK_REALTIME ns; 0: none)
	early bool  // bytes arrived while connecting or writing
	// hup: the peer closed its end (or the socket failed); reported with
	// a response's last bytes, that edge is the only one (EPOLLET), so
	// the connection must not go back to the idle ones.
	hup bool
	// reused: the request went on a connection that had served one
	// before; retried: it is a request sent again after such a connection
	// lost it, lost: one that could not be (reuse.go).
	reused, retried, lost bool
	p                     respParser
	buf                   []byte // what has arrived and not been parsed: buf[:n]
	n                     int
}

const (
	csFree uint8 = iota // closed; its slot may be reused
	csConnecting
	csIdle
	csWriting
	csReading
)

// elWait is a start waiting for a connection under the connections cap.
type elWait struct {
	fp    *fastPrepared
	s     metrics.Sample
	until int64
}

// elDue is a request's place in the timeout queue: requests are sent in
// time order with one timeout, so the queue's head is the first due.
type elDue struct {
	c   *elConn
	seq uint64
}

type eventLoop struct {
	r       *runner
	fc      *FastClient
	sa      unix.Sockaddr
	family  int
	timeout int64
	bodyCap int64
	epfd    int
	wakefd  int // an eventfd: the run's contexts ending wake the wait
	// ctlfd is a second epoll set holding the wake-up eventfd alone: a
	// pacing wait on it is not ended by a response (see run).
	ctlfd    int
	stamps   bool // connections get the kernel's receive times (SO_TIMESTAMPNS_NEW)
	msg      unix.Msghdr
	iov      unix.Iovec
	oob      [64]byte
	conns    []*elConn
	free     []*elConn // closed, their slots free for new connections
	freed    []*elConn // closed while the last wait's events are handled: free after them
	idle     []*elConn
	nconns   int // connections open or connecting
	dialling int // connections still connecting (no quiet wait then: see run)
	maxConns int // 0: no cap
	waiting  []elWait
	dues     []elDue
	dueHead  int
	seq      uint64
	events   [256]unix.EpollEvent
	msWait   bool // no epoll_pwait2: epoll_wait, in milliseconds
	wakeBuf  [8]byte
	req      []int // each flow's request (all flows are plain)
	// stoppedAt is when the run's context ended the starts (an offset
	// from the epoch; 0: it did not).
	stoppedAt time.Duration
	// late counts the paced waits that ended past their time (Stats.WakeDelays).
	late wakeDelays
	// opened: the epoll sets and the eventfd are made (openFDs).
	opened bool
	// preDialled counts the connections opened before the clock
	// (Stats.PreDialled).
	preDialled int
}

// eventLoopTarget tells whether the event loop can run opt's requests: a
// FastClient, plain flows only, every request plain HTTP to one address
// that is an IP (or resolves to one now). It returns the loop, or nil and
// why not (loopAddress).
func eventLoopTarget(opt *Options, fs *flowSet) (*eventLoop, string) {
	addr, why := loopAddress(opt, fs)
	if why != "" {
		return nil, why
	}
	fc := opt.Doer.(*FastClient)
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err.Error()
		}
		ips, err := net.DefaultResolver.LookupNetIP(context.Background(), "ip", host)
		if err != nil || len(ips) == 0 {
			return nil, fmt.Sprintf("%s did not resolve to an address (%v)", host, err)
		}
		pap, err := netip.ParseAddrPort(net.JoinHostPort("0.0.0.0", port))
		if err != nil {
			return nil, err.Error()
		}
		ap = netip.AddrPortFrom(ips[0], pap.Port())
	}
	l := &eventLoop{fc: fc, timeout: int64(fc.opt.Timeout), bodyCap: int64(fc.bodyCap), maxConns: fc.opt.Connections}
	if a := ap.Addr().Unmap(); a.Is4() {
		l.sa, l.family = &unix.SockaddrInet4{Port: int(ap.Port()), Addr: a.As4()}, unix.AF_INET
	} else {
		l.sa, l.family = &unix.SockaddrInet6{Port: int(ap.Port()), Addr: a.As16()}, unix.AF_INET6
	}
	return l, ""
}

// runOpenLoop is RunOpen on the event loop; false when it cannot run
// (no epoll, no eventfd): RunOpen then uses the sender pool.
func runOpenLoop(ctx context.Context, r *runner, l *eventLoop, p scenario.Profile, rng *rand.Rand) (Stats, bool) {
	if l.open(r) != nil {
		return Stats{}, false
	}
	// The contexts ending wake the wait; the descriptor outlives them
	// (closed only after both stops are undone).
	var mu sync.Mutex
	closed := false
	wake := func() {
		mu.Lock()
		defer mu.Unlock()
		if !closed {
			one := [8]byte{7: 1}
			unix.Write(l.wakefd, one[:])
		}
	}
	stop1 := context.AfterFunc(ctx, wake)
	stop2 := context.AfterFunc(r.opt.Hard, wake)
	defer func() {
		stop1()
		stop2()
		mu.Lock()
		closed = true
		mu.Unlock()
		l.closeAll()
		l.closeFDs()
	}()

	l.settle()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	setTimerSlack(r.opt.PacerSlack)
	stopTick := startTick(r.opt.Recorder)
	q := newStartQueue(NewSchedule(p.Stages), p.Stages, r.opt.Segment.scale(), rng)
	q.sched.Phase, q.sched.Scale = r.opt.Segment.phase(), r.opt.Segment.scale()
	l.late.live = r.progress
	dropped, stopped := l.run(ctx, q, overrunCutoff(p.Stages))
	var wg sync.WaitGroup
	st := r.finish(stopped, func() {}, &wg, stopTick, dropped)
	if stopped && l.stoppedAt > 0 {
		// When starts stopped, as the sender pool says it, not when the
		// requests in flight had drained.
		st.StoppedAt = l.stoppedAt
	}
	st.EventLoop = true
	st.PreDialled = l.preDialled
	l.late.into(&st)
	return st, true
}

// open makes the loop's epoll set and its wake-up eventfd for r's run
// (made already when its connections were opened before the clock:
// PreDial).
func (l *eventLoop) open(r *runner) error {
	if !l.opened {
		if err := l.openFDs(); err != nil {
			return err
		}
	}
	l.r = r
	for _, f := range r.flows.flows {
		l.req = append(l.req, f.Steps[0].Request)
	}
	return nil
}

// openFDs makes the loop's epoll sets and its wake-up eventfd.
func (l *eventLoop) openFDs() error {
	var err error
	if l.epfd, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		return err
	}
	if l.wakefd, err = unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC); err != nil {
		unix.Close(l.epfd)
		return err
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: -1}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, l.wakefd, &ev); err != nil {
		unix.Close(l.epfd)
		unix.Close(l.wakefd)
		return err
	}
	if l.ctlfd, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		unix.Close(l.epfd)
		unix.Close(l.wakefd)
		return err
	}
	if err := unix.EpollCtl(l.ctlfd, unix.EPOLL_CTL_ADD, l.wakefd, &ev); err != nil {
		l.closeFDs()
		return err
	}
	l.stamps = true // until a socket refuses (Linux before 5.1)
	// epoll_pwait2 is Linux 5.11's; before it, epoll_wait in whole
	// milliseconds (a start then up to a millisecond late).
	_, _, errno := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT2, uintptr(l.epfd), uintptr(unsafe.Pointer(&l.events[0])), uintptr(len(l.events)), uintptr(unsafe.Pointer(&unix.Timespec{})), 0, 0)
	l.msWait = errno == unix.ENOSYS
	l.opened = true
	return nil
}

// run is the loop: it sends the starts due, waits for the next start or
// an event, handles the events, and once the schedule is over (or the run
// stopped) drains the requests in flight.
func (l *eventLoop) run(ctx context.Context, q *startQueue, cutoff time.Duration) (dropped int64, stopped bool) {
	r := l.r
	var lastWake int64
	more := true
	y := newYielder()
	y.slack = r.opt.PacerSlack
	defer y.close()
	for {
		now := r.now()
		if r.opt.Hard.Err() != nil {
			l.cancelAll()
			return dropped, stopped || ctx.Err() != nil
		}
		if more && ctx.Err() != nil {
			stopped, more = true, false
			l.stoppedAt = time.Duration(now)
		}
		if more && now > int64(cutoff) {
			dropped += q.dropRest()
			r.progress.Dropped.Store(dropped)
			more = false
		}
		var paced bool
		if more {
			var d int64
			d, more = l.startDue(q, now, int64(r.opt.PacerEarly))
			if d > 0 {
				dropped += d
				r.progress.Dropped.Store(dropped)
			}
		}
		wait := l.expire(now, -1)
		if more {
			next, _ := q.peek()
			if w := pacedWait(now, next.intended, lastWake, int64(r.opt.PacerQuantum)); wait < 0 || w <= wait {
				wait, paced = w, w > 0
			}
		} else if r.progress.InFlight.Load() == 0 {
			return dropped, stopped
		}
		var n int
		var due int64 // when a paced wait is to end, for its wake-up delay
		if paced {
			due = l.waitEnd(r.now(), wait)
		}
		if l.stamps && paced && wait <= rawWaitMax && l.dialling == 0 && r.progress.InFlight.Load() > 0 {
			// A quiet wait: until the next start, not ended by the
			// responses that come meanwhile; they are read after it,
			// each with the time the kernel received it, which is the
			// exchange's end (recv). A response costs no wake-up of its
			// own: on this machine a sleep and a wake-up of the loop
			// cost more CPU than the response's read (ADR 0019). Not
			// while a connection is connecting: its request would leave
			// only after the wait, late by the generator's doing.
			if k := l.waitOn(l.ctlfd, wait); k > 0 {
				l.event(&l.events[0])
			}
			n = l.waitOn(l.epfd, 0)
		} else {
			n = l.wait(wait)
		}
		if paced {
			lastWake = r.now()
			l.late.note(due, lastWake)
		}
		for i := range n {
			l.event(&l.events[i])
		}
		// A slot is reused only after the events that may still name
		// its old connection.
		l.free = append(l.free, l.freed...)
		l.freed = l.freed[:0]
		y.yield(now)
	}
}

// pacedWait is how long the loop waits for its next start, due at next:
// until it is due, but at most one wake-up per quantum since the last
// (lastWake), so that the starts falling due within a quantum go out
// together. A start already due is not waited for: after a batch cut at
// paceBatch, or a stall of the machine, the loop catches up at once
// instead of sleeping out the quantum with starts overdue (each such
// sleep made every start behind it later still).
func pacedWait(now, next, lastWake, quantum int64) int64 {
	if next <= now {
		return 0
	}
	return max(next, lastWake+quantum) - now
}

// startDue sends the starts due by now + early (Options.PacerEarly: the
// loop is awake now; a start due within early of it leaves with this
// batch rather than cost a wake-up of its own), at most paceBatch of them,
// counting as dropped those at the in-flight cap; more is false when the
// schedule is over. A loop that is behind thus reads the responses that
// have come (their connections free again) between batches, instead of
// dialling a connection for every start it is behind by (ADR 0018's
// spiral).
func (l *eventLoop) startDue(q *startQueue, now, early int64) (dropped int64, more bool) {
	r := l.r
	for range paceBatch {
		j, ok := q.take(now+early, r)
		if !ok {
			_, more = q.peek()
			return dropped, more
		}
		if r.progress.InFlight.Load() >= int64(r.opt.MaxInFlight) {
			dropped++
			continue
		}
		req := l.req[j.flow]
		l.start(r.opt.Requests[req].fast.Load(), r.begin(req, j.stage, j.intended))
	}
	_, more = q.peek()
	return dropped, more
}

// start sends s on an idle connection, or a new one, or (at the
// connections cap) queues it for the next connection that frees.
func (l *eventLoop) start(fp *fastPrepared, s metrics.Sample) {
	if n := len(l.idle); n > 0 {
		c := l.idle[n-1]
		l.idle = l.idle[:n-1]
		l.send(c, fp, s)
		return
	}
	if l.maxConns > 0 && l.nconns >= l.maxConns {
		l.waiting = append(l.waiting, elWait{fp: fp, s: s, until: s.Start + l.timeout})
		return
	}
	c, err := l.dial()
	if err != nil {
		l.done(&s, nil, err, 0)
		return
	}
	c.fp, c.s, c.wrote, c.retried, c.lost = fp, s, 0, false, false
	l.arm(c)
	if c.state == csConnecting {
		return
	}
	l.write(c)
}

// send begins s on c, an idle connection.
func (l *eventLoop) send(c *elConn, fp *fastPrepared, s metrics.Sample) {
	c.fp, c.s, c.wrote, c.retried, c.lost = fp, s, 0, false, false
	c.reused, c.got = true, false
	l.arm(c)
	c.state = csWriting
	l.write(c)
}

// arm puts c's request in the timeout queue, due a whole timeout from
// now: after every request in it.
func (l *eventLoop) arm(c *elConn) { l.queue(c, l.r.now()+l.timeout) }

// queue puts c's request at the end of the timeout queue, due at until.
func (l *eventLoop) queue(c *elConn, until int64) {
	l.seq++
	c.seq, c.until = l.seq, until
	if l.dueHead > 0 && l.dueHead >= len(l.dues)/2 {
		k := copy(l.dues, l.dues[l.dueHead:])
		clear(l.dues[k:])
		l.dues, l.dueHead = l.dues[:k], 0
	}
	l.dues = append(l.dues, elDue{c, c.seq})
}

// armUntil puts c's request in the timeout queue due at until, which may
// be earlier than the deadlines of requests queued after the one it is
// sent again for (resend): in before them, so that the queue stays in the
// order of the deadlines (expire reads its head only). It moves past the
// later ones and past those no longer in flight, which expire skips
// wherever they are; a rare walk, never on a request's first attempt.
func (l *eventLoop) armUntil(c *elConn, until int64) {
	l.queue(c, until)
	for i := len(l.dues) - 1; i > l.dueHead; i-- {
		if d := l.dues[i-1]; d.c.seq == d.seq && d.c.until <= until {
			return
		}
		l.dues[i-1], l.dues[i] = l.dues[i], l.dues[i-1]
	}
}

// dial opens a non-blocking connection; its connect may still be under way
// (state csConnecting).
func (l *eventLoop) dial() (*elConn, error) {
	fd, err := unix.Socket(l.family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("socket", err)}
	}
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	if l.stamps && unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS_NEW, 1) != nil {
		l.stamps = false
	}
	state := csWriting
	if err := unix.Connect(fd, l.sa); err == unix.EINPROGRESS {
		state = csConnecting
	} else if err != nil {
		unix.Close(fd)
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", err)}
	}
	c := l.slot()
	c.fd, c.state, c.n, c.got, c.early, c.hup, c.at, c.reused = fd, state, 0, false, false, false, 0, false
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDHUP | unix.EPOLLET, Fd: c.idx}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		unix.Close(fd)
		c.state = csFree
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	l.nconns++
	if state == csConnecting {
		l.dialling++
	}
	return c, nil
}

// slot returns a free connection slot, reusing a closed one's.
func (l *eventLoop) slot() *elConn {
	if n := len(l.free); n > 0 {
		c := l.free[n-1]
		l.free = l.free[:n-1]
		return c
	}
	c := &elConn{idx: int32(len(l.conns)), buf: make([]byte, firstChunk)}
	l.conns = append(l.conns, c)
	return c
}

// write writes what is left of c's request; on EAGAIN the rest goes when
// the socket is writable again.
func (l *eventLoop) write(c *elConn) {
	w := c.fp.wire
	for c.wrote < len(w) {
		// A non-blocking socket's write never sleeps, so is never
		// interrupted (no EINTR).
		n, err := rawWrite(c.fd, w[c.wrote:])
		if err != 0 {
			if err != unix.EAGAIN && !l.resend(c, err) {
				l.fail(c, sockErr("write", err))
			}
			return
		}
		c.wrote += n
	}
	c.state = csReading
	c.p.reset(c.fp.head, l.bodyCap)
	c.n, c.got = 0, false
	// No read now, as a rule: the response comes after the request, and
	// its arrival is an edge the next wait reports (a read here would be
	// EAGAIN, a system call per request for nothing). But bytes that came
	// before the request was written (a server that speaks first) made
	// their edge already.
	if c.early {
		c.early = false
		l.read(c)
	}
}

// event handles one epoll event.
func (l *eventLoop) event(ev *unix.EpollEvent) {
	if ev.Fd < 0 {
		_, _ = rawRead(l.wakefd, l.wakeBuf[:])
		return
	}
	c := l.conns[ev.Fd]
	if ev.Events&unix.EPOLLIN != 0 && (c.state == csConnecting || c.state == csWriting) {
		c.early = true
	}
	if ev.Events&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
		c.hup = true
	}
	switch c.state {
	case csConnecting:
		if ev.Events&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) == 0 {
			return
		}
		errno, err := unix.GetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_ERROR)
		if err == nil && errno != 0 {
			err = unix.Errno(errno)
		}
		if err != nil {
			l.fail(c, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", err)})
			return
		}
		c.state = csWriting
		l.dialling--
		l.write(c)
	case csWriting:
		l.write(c)
	case csReading:
		l.read(c)
	case csIdle:
		if ev.Events&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
			// The server closed a connection with nothing in flight.
			l.drop(c)
			return
		}
		if ev.Events&unix.EPOLLIN != 0 {
			// An edge of its last response, read already; or bytes
			// nobody asked for (the connection is then not reused).
			if _, err := rawRead(c.fd, c.buf); err != unix.EAGAIN {
				l.drop(c)
			}
		}
	}
}

// read reads what has arrived of c's response and parses it; the
// exchange ends when it is whole, fails, or the connection ends.
func (l *eventLoop) read(c *elConn) {
	for {
		if c.n == len(c.buf) {
			l.fail(c, fmt.Errorf("%w: head longer than %d bytes", errMalformed, len(c.buf)))
			return
		}
		n, at, err := l.recv(c.fd, c.buf[c.n:])
		switch {
		case err == unix.EAGAIN:
			return
		case err != 0:
			if !l.resend(c, err) {
				l.fail(c, sockErr("read", err))
			}
			return
		case n == 0:
			if l.resend(c, 0) {
				return
			}
			if err := c.p.eof(c.got); err != nil {
				l.fail(c, err)
				return
			}
			c.p.close = true
			c.at = 0 // it ended at the close, which came now
			l.finish(c)
			return
		}
		c.got, c.at = true, at
		c.n += n
		used, done, perr := c.p.feed(c.buf[:c.n])
		if perr != nil {
			l.fail(c, perr)
			return
		}
		c.n = copy(c.buf, c.buf[used:c.n])
		if done {
			l.finish(c)
			return
		}
	}
}

// rawRead and rawWrite are read(2) and write(2) as raw system calls, for
// the loop's non-blocking descriptors, which never block: the loop keeps
// its P through them, as through its short waits (no entersyscall and
// exitsyscall per call, and the runtime's monitor never finds the P in a
// system call: a loopback write runs the server's receive path too, long
// enough for the monitor to retake the P, after which it naps every 20 µs
// for a millisecond). A slice must not be empty.
func rawRead(fd int, p []byte) (int, unix.Errno) {
	n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	return int(n), e
}

func rawWrite(fd int, p []byte) (int, unix.Errno) {
	n, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	return int(n), e
}

// recv is rawRead by recvmsg(2), with the kernel's receive time of the
// last bytes read (CLOCK_REALTIME ns; 0 when none came with them: no
// bytes, or a socket without SO_TIMESTAMPNS_NEW). It uses the loop's own
// message header, so it allocates nothing.
func (l *eventLoop) recv(fd int, p []byte) (int, int64, unix.Errno) {
	l.iov.Base = &p[0]
	l.iov.SetLen(len(p))
	l.msg.Iov, l.msg.Control = &l.iov, &l.oob[0]
	l.msg.SetIovlen(1)
	l.msg.SetControllen(len(l.oob))
	n, _, e := unix.RawSyscall(unix.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&l.msg)), 0)
	if e != 0 || n == 0 {
		return int(n), 0, e
	}
	var at int64
	data := unix.CmsgLen(0) // the first message's data: a __kernel_timespec
	if int(l.msg.Controllen) >= data+16 {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&l.oob[0]))
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SO_TIMESTAMPNS_NEW {
			sec := int64(binary.NativeEndian.Uint64(l.oob[data:]))
			nsec := int64(binary.NativeEndian.Uint64(l.oob[data+8:]))
			at = sec*1e9 + nsec
		}
	}
	return int(n), at, 0
}

// sockErr is a socket's failed op as the net package reports it (so that
// Classify reads its errno).
func sockErr(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Err: os.NewSyscallError(op, err)}
}

// finish records c's whole response and frees c for the next request (or
// closes it).
func (l *eventLoop) finish(c *elConn) {
	out := Outcome{Status: c.p.status, Bytes: c.p.bytes, Retried: c.retried}
	c.seq = 0
	if c.p.close || c.fp.close || c.n > 0 || c.hup {
		l.drop(c)
	} else {
		c.state = csIdle
		l.idle = append(l.idle, c)
	}
	l.done(&c.s, &out, nil, c.at)
	l.next(c)
}

// fail ends c's request with err and closes c.
func (l *eventLoop) fail(c *elConn, err error) {
	out := Outcome{}
	if c.p.status > 0 && c.p.phase != phHead {
		// The head arrived whole: its status stands (a body cut short is
		// protocol, or http for a status >= 400), as the clients class it.
		out.Status = c.p.status
	}
	out.Bytes, out.Retried, out.ReuseLost = c.p.bytes, c.retried, c.lost
	c.seq = 0
	l.drop(c)
	l.done(&c.s, &out, err, 0)
	l.next(c)
}

// resend sends c's request again on a new connection when c, reused,
// lost it before any byte of the response (errno: the read's or write's
// error, 0 for an end of stream) in a way that shows the server never
// served it, and its method allows (reuse.go): true when it did, c then
// closed. A request it may not send again is marked lost for fail. The
// sample keeps its start: its latency holds the lost attempt; and its
// deadline: the timeout bounds the request, not each attempt (none left:
// it times out).
func (l *eventLoop) resend(c *elConn, errno unix.Errno) bool {
	if !c.reused || c.got {
		return false
	}
	switch errno {
	case unix.ECONNRESET, unix.EPIPE:
	case 0:
		if !reuseUnacked(c.fd) {
			return false
		}
	default:
		return false
	}
	if !c.fp.idem {
		c.lost = true
		return false
	}
	fp, s, until := c.fp, c.s, c.until
	c.seq = 0
	l.drop(c)
	if until <= l.r.now() {
		l.done(&s, nil, l.timedOut(), 0)
		l.next(c)
		return true
	}
	// The slot c held goes to the request again, on a new connection.
	nc, err := l.dial()
	if err != nil {
		l.done(&s, &Outcome{Retried: true}, err, 0)
		l.next(c)
		return true
	}
	nc.fp, nc.s, nc.wrote, nc.retried, nc.lost = fp, s, 0, true, false
	l.armUntil(nc, until)
	if nc.state != csConnecting {
		l.write(nc)
	}
	return true
}

// next gives a start waiting for a connection the one just freed (or a
// new one in the place of one just closed).
func (l *eventLoop) next(c *elConn) {
	if len(l.waiting) == 0 {
		return
	}
	w := l.waiting[0]
	l.waiting = l.waiting[:copy(l.waiting, l.waiting[1:])]
	w.s.Sent = l.r.now()
	if c.state == csIdle {
		l.idle = l.idle[:len(l.idle)-1]
		l.send(c, w.fp, w.s)
		return
	}
	l.start(w.fp, w.s)
}

// drop closes c.
func (l *eventLoop) drop(c *elConn) {
	if c.state == csFree {
		return
	}
	if c.state == csIdle {
		for i, d := range l.idle {
			if d == c {
				l.idle = append(l.idle[:i], l.idle[i+1:]...)
				break
			}
		}
	}
	unix.Close(c.fd) // also leaves the epoll set
	if c.state == csConnecting {
		l.dialling--
	}
	c.state, c.seq = csFree, 0
	l.nconns--
	l.freed = append(l.freed, c)
}

// done records a request's sample. at is the kernel's receive time of the
// response's last bytes (CLOCK_REALTIME ns; 0: none, the end is now): the
// end is then that time on the run's clock, never before the request left
// and never after now, so a response read late is not counted slower.
func (l *eventLoop) done(s *metrics.Sample, out *Outcome, err error, at int64) {
	if out == nil {
		out = &Outcome{}
	}
	if s.Sent != 0 {
		// It waited for a connection (its send time is when it got one).
		out.ConnWait = true
	}
	if !l.r.end(s, out, err) {
		return
	}
	if at > 0 {
		t := time.Now()
		end := at - (t.UnixNano() - int64(t.Sub(l.r.epoch)))
		s.End = min(s.End, max(end, s.Start, s.Sent))
	}
	s.Status, s.Bytes, s.Class = out.Status, out.Bytes, Classify(out.Status, err)
	l.r.opt.Recorder.Record(s.Request, s)
}

// expire times out the requests past their timeout at now (and the starts
// that waited that long for a connection); it returns wait shortened to
// the next timeout.
func (l *eventLoop) expire(now, wait int64) int64 {
	for len(l.waiting) > 0 && l.waiting[0].until <= now {
		w := l.waiting[0]
		l.waiting = l.waiting[:copy(l.waiting, l.waiting[1:])]
		l.done(&w.s, &Outcome{ConnWait: true}, fmt.Errorf("%w: no free connection within the timeout (connections: %d)", os.ErrDeadlineExceeded, l.maxConns), 0)
	}
	for l.dueHead < len(l.dues) {
		d := l.dues[l.dueHead]
		if d.c.seq != d.seq {
			l.dues[l.dueHead] = elDue{}
			l.dueHead++
			continue
		}
		if d.c.until > now {
			if left := d.c.until - now; wait < 0 || left < wait {
				wait = left
			}
			break
		}
		l.dues[l.dueHead] = elDue{}
		l.dueHead++
		l.fail(d.c, l.timedOut())
	}
	if len(l.waiting) > 0 {
		if left := l.waiting[0].until - now; wait < 0 || left < wait {
			wait = max(0, left)
		}
	}
	return wait
}

// timedOut is the error of a request that had no response within the
// timeout.
func (l *eventLoop) timedOut() error {
	return fmt.Errorf("%w: no response within %s", os.ErrDeadlineExceeded, time.Duration(l.timeout))
}

// rawWaitMax is the longest wait the loop makes in a raw system call.
// A raw wait keeps the loop's P: no hand-off to another thread and back
// for every wait, which is most of a start's cost at thousands a second
// (ADR 0019); but while it lasts no other goroutine runs on that P, and
// the runtime's network poller is polled only by its monitor, every
// 10 ms. A longer wait (a light schedule, the drain) is an ordinary
// system call, which lets the runtime run other goroutines meanwhile.
const rawWaitMax = int64(time.Millisecond)

// waitEnd is when a wait of wait nanoseconds begun at now ends at the
// latest, if the machine runs the loop when due: epoll_wait rounds up to
// whole milliseconds. A paced wait that ends later is a wake-up delay;
// one ended early (an event, a signal, the run's stop) is not.
func (l *eventLoop) waitEnd(now, wait int64) int64 {
	if l.msWait {
		ms := int64(time.Millisecond)
		wait = (wait + ms - 1) / ms * ms
	}
	return now + wait
}

// wait waits for events at most wait nanoseconds (negative: until one
// comes), to the nanosecond (epoll_pwait2). A signal (the runtime
// preempting the loop, every 10 ms while it has not yielded) ends the
// wait with no events: the caller computes the time left anew, and the
// preemption lands at its next function call.
func (l *eventLoop) wait(wait int64) int { return l.waitOn(l.epfd, wait) }

func (l *eventLoop) waitOn(epfd int, wait int64) int {
	if l.msWait {
		ms := -1
		if wait >= 0 {
			ms = int((wait + int64(time.Millisecond) - 1) / int64(time.Millisecond))
		}
		k, err := unix.EpollWait(epfd, l.events[:], ms)
		if err != nil {
			return 0
		}
		return k
	}
	var tsp unsafe.Pointer
	var ts unix.Timespec
	if wait >= 0 {
		ts = unix.NsecToTimespec(wait)
		tsp = unsafe.Pointer(&ts)
	}
	var n uintptr
	var errno unix.Errno
	if wait >= 0 && wait <= rawWaitMax {
		n, _, errno = unix.RawSyscall6(unix.SYS_EPOLL_PWAIT2, uintptr(epfd), uintptr(unsafe.Pointer(&l.events[0])), uintptr(len(l.events)), uintptr(tsp), 0, 0)
	} else {
		n, _, errno = unix.Syscall6(unix.SYS_EPOLL_PWAIT2, uintptr(epfd), uintptr(unsafe.Pointer(&l.events[0])), uintptr(len(l.events)), uintptr(tsp), 0, 0)
	}
	if errno != 0 {
		return 0
	}
	return int(n)
}

// cancelAll ends every request in flight at a hard stop: counted as
// canceled, not recorded.
func (l *eventLoop) cancelAll() {
	for _, c := range l.conns {
		if c.state == csConnecting || c.state == csWriting || c.state == csReading {
			c.seq = 0
			l.drop(c)
			l.r.end(&c.s, &Outcome{}, fmt.Errorf("%w: hard stop", context.Canceled))
		}
	}
	for i := range l.waiting {
		l.r.end(&l.waiting[i].s, &Outcome{}, fmt.Errorf("%w: hard stop", context.Canceled))
	}
	l.waiting = l.waiting[:0]
}

// closeAll closes every connection left.
func (l *eventLoop) closeAll() {
	for _, c := range l.conns {
		if c.state != csFree {
			unix.Close(c.fd)
			c.state = csFree
		}
	}
	l.idle, l.nconns, l.dialling = nil, 0, 0
}

// closeFDs closes the loop's epoll set and eventfd.
func (l *eventLoop) closeFDs() {
	unix.Close(l.epfd)
	unix.Close(l.ctlfd)
	unix.Close(l.wakefd)
}
