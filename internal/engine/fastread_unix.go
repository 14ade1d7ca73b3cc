//go:build unix

package engine

import (
	"io"
	"net"
	"os"
	"syscall"
)

// arm readies c for awaitResponse when it is a socket.
func (c *deadlineConn) arm() {
	sc, ok := c.Conn.(syscall.Conn)
	if !ok {
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return
	}
	c.raw = raw
	c.readable = c.readFirst // one closure per connection, none per request
	c.probe = c.probeFD
}

// peerGone tells whether an idle connection is unusable: the server closed
// or reset it, or sent bytes no request asked for (a 408 before its idle
// timeout's close, say). Not a socket: false.
func (c *deadlineConn) peerGone() bool {
	if c.raw == nil || c.first != nil || c.firstErr != nil {
		return c.firstErr != nil
	}
	c.gone = false
	if c.raw.Control(c.probe) != nil {
		return true
	}
	return c.gone
}

// probeFD reads fd without waiting: only "nothing yet" (EAGAIN) leaves an
// idle connection usable. A byte read is dropped with the connection.
func (c *deadlineConn) probeFD(fd uintptr) {
	for {
		_, err := syscall.Read(int(fd), c.scrap[:])
		if err == syscall.EINTR {
			continue
		}
		c.gone = err != syscall.EAGAIN
		return
	}
}

// readFirst reads what has arrived on fd into a pooled chunk; false when
// nothing has (the poller then waits for fd to become readable and calls
// it again). An end of stream or an error is kept for Read, as the
// connection's own Read would have returned it.
func (c *deadlineConn) readFirst(fd uintptr) bool {
	b := c.owner.chunk()
	for {
		n, err := syscall.Read(int(fd), b[:])
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			c.owner.chunks.Put(b)
			return false
		case err != nil:
			c.owner.chunks.Put(b)
			c.firstErr = &net.OpError{Op: "read", Net: c.LocalAddr().Network(), Source: c.LocalAddr(), Addr: c.RemoteAddr(),
				Err: os.NewSyscallError("read", err)}
		case n == 0:
			c.owner.chunks.Put(b)
			c.firstErr = io.EOF
		default:
			c.first, c.off, c.end = b, 0, n
		}
		return true
	}
}

// lostUnserved tells, once awaitResponse has run, whether the connection
// ended before any byte of the response in a way that shows the server
// never served the request (reuse.go): a reset, or an end of stream with
// the request not acknowledged by the server's TCP.
func (c *deadlineConn) lostUnserved() bool {
	if c.raw == nil || c.first != nil || c.firstErr == nil {
		return false
	}
	if c.firstErr != io.EOF {
		return lostReset(c.firstErr)
	}
	c.gone = false
	if c.raw.Control(c.unacked) != nil {
		return false
	}
	return c.gone
}

// unacked is reuseUnacked for raw.Control, its answer in gone.
func (c *deadlineConn) unacked(fd uintptr) { c.gone = reuseUnacked(int(fd)) }
