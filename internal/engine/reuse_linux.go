package engine

import "golang.org/x/sys/unix"

// reuseUnacked tells whether some of what was written on fd was never
// acknowledged by the peer's TCP: after an end of stream, that the peer's
// FIN left before the request arrived (a FIN acknowledges every byte
// received before it). The kernel's bytes_acked counts the SYN too.
// Off the hot path: called only when a reused connection ended before any
// byte of its response. Unknown (an old kernel without the counters, an
// error): false, the failure stands.
func reuseUnacked(fd int) bool {
	ti, err := unix.GetsockoptTCPInfo(fd, unix.IPPROTO_TCP, unix.TCP_INFO)
	if err != nil || ti.Bytes_sent == 0 {
		return false
	}
	return ti.Bytes_acked <= ti.Bytes_sent-ti.Bytes_retrans
}

// reuseAcked tells how many bytes written on fd the peer's TCP has
// acknowledged (its bytes_acked less the SYN); known false on an old
// kernel without the counter (0) or an error.
func reuseAcked(fd int) (acked uint64, known bool) {
	ti, err := unix.GetsockoptTCPInfo(fd, unix.IPPROTO_TCP, unix.TCP_INFO)
	if err != nil || ti.Bytes_acked == 0 {
		return 0, false
	}
	return ti.Bytes_acked - 1, true
}
