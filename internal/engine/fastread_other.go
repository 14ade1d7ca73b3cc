//go:build !unix

package engine

// arm does nothing off unix: awaitResponse returns at once and the
// response is read as fasthttp reads it.
func (c *deadlineConn) arm() {}

// peerGone cannot tell off unix: false, the connection is used as it is.
func (c *deadlineConn) peerGone() bool { return false }

// lostUnserved cannot tell off unix: false, the failure stands.
func (c *deadlineConn) lostUnserved() bool { return false }
