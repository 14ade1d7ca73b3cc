//go:build linux

package engine

import (
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// preDial opens up to n connections to the loop's target at once (all
// non-blocking) and waits until they are connected, at most wait; those
// connected become the loop's idle connections, the rest are closed. A
// failed dial ends the dialling (err: the first failure): the run then
// dials for its starts as it would have without, and its requests meet
// the failure themselves and are classed as before. Nothing is written on
// a connection here. The loop's epoll sets are made first (openFDs).
func (l *eventLoop) preDial(n int, wait time.Duration) (open int, err error) {
	if err := l.openFDs(); err != nil {
		return 0, err
	}
	for range n {
		c, derr := l.dial()
		if derr != nil {
			err = derr
			break
		}
		if c.state != csConnecting {
			// Connected at once.
			c.state = csIdle
			l.idle = append(l.idle, c)
		}
	}
	deadline := time.Now().Add(wait)
	for l.dialling > 0 {
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		for i := range l.waitOn(l.epfd, int64(left)) {
			if e := l.connected(&l.events[i]); e != nil && err == nil {
				err = e
			}
		}
		l.free = append(l.free, l.freed...)
		l.freed = l.freed[:0]
	}
	// Still connecting at the deadline: closed; the run dials its own.
	for _, c := range l.conns {
		if c.state == csConnecting {
			l.drop(c)
		}
	}
	l.free = append(l.free, l.freed...)
	l.freed = l.freed[:0]
	l.preDialled = len(l.idle)
	return l.preDialled, err
}

// connected handles one epoll event while preDial waits: a connection
// whose connect ended is idle, or closed with the connect's error. One
// that the server already closed or wrote to is closed (the run would
// not reuse it either).
func (l *eventLoop) connected(ev *unix.EpollEvent) error {
	if ev.Fd < 0 {
		_, _ = rawRead(l.wakefd, l.wakeBuf[:])
		return nil
	}
	c := l.conns[ev.Fd]
	gone := ev.Events&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0
	switch c.state {
	case csIdle:
		if gone {
			l.drop(c)
		}
	case csConnecting:
		if ev.Events&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) == 0 {
			return nil
		}
		errno, err := unix.GetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_ERROR)
		if err == nil && errno != 0 {
			err = unix.Errno(errno)
		}
		if err != nil || gone {
			l.drop(c)
			if err != nil {
				return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", err)}
			}
			return nil
		}
		l.dialling--
		c.state = csIdle
		l.idle = append(l.idle, c)
	}
	return nil
}

// settle handles the events that came on the connections opened before
// the clock (PreDial) since: one the server closed meanwhile is closed
// before a start is sent on it (the loop's first batch is sent before its
// first wait).
func (l *eventLoop) settle() {
	if l.preDialled == 0 {
		return
	}
	for i := range l.waitOn(l.epfd, 0) {
		l.event(&l.events[i])
	}
	l.free = append(l.free, l.freed...)
	l.freed = l.freed[:0]
	l.preDialled = len(l.idle)
}

// preDialLoop is PreDial's Linux part: l's connections, opened before the
// clock.
func preDialLoop(l *eventLoop, n int, wait time.Duration) (int, error) {
	return l.preDial(n, wait)
}

// closeLoop closes what a loop made before the clock that no run took.
func closeLoop(l *eventLoop) {
	l.closeAll()
	if l.opened {
		l.closeFDs()
	}
}
