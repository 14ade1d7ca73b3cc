package simtarget

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// DefaultAddr is where Start listens when given no address: loopback, on a
// port chosen by the system.
const DefaultAddr = "127.0.0.1:0"

// Running is a Server listening on a TCP address. Stop it with Close or
// Shutdown; both return only once every goroutine it started has exited.
type Running struct {
	URL    string  // base URL, e.g. http://127.0.0.1:41234
	Addr   string  // the address listened on, e.g. 127.0.0.1:41234
	Server *Server // the handler, for its Stats and Config

	http    *http.Server
	cancel  context.CancelFunc // cancels every request's context
	conns   sync.WaitGroup     // one per open connection, done when its goroutine ends
	served  chan struct{}      // closed when Serve has returned
	serveMu sync.Mutex         // guards serveErr
	// serveErr is what Serve returned, when it was not ErrServerClosed.
	serveErr error
}

// Start listens on addr (DefaultAddr when empty) and serves a new Server for
// cfg in a goroutine. cfg is normalized; an invalid cfg is an error.
func Start(cfg Config, addr string) (*Running, error) {
	cfg.Normalize()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("simulated service: %w", err)
	}
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("simulated service: listen %s: %w", addr, err)
	}
	base, cancel := context.WithCancel(context.Background())
	r := &Running{
		URL:    "http://" + ln.Addr().String(),
		Addr:   ln.Addr().String(),
		Server: New(cfg),
		cancel: cancel,
		served: make(chan struct{}),
	}
	r.http = &http.Server{
		Handler:           r.Server.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		// No WriteTimeout: time spent queued counts against it, and a long
		// queue is what a stress test is there to see, not to cut short.
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		BaseContext:    func(net.Listener) context.Context { return base },
		ConnState:      r.trackConn,
	}
	go func() {
		defer close(r.served)
		if err := r.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			r.serveMu.Lock()
			r.serveErr = err
			r.serveMu.Unlock()
		}
	}()
	return r, nil
}

// trackConn counts connection goroutines so that Close can wait for them:
// http.Server.Close and Shutdown do not. StateNew is reported on the Serve
// goroutine before the connection's goroutine starts, so every Add happens
// before Serve returns.
func (r *Running) trackConn(_ net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		r.conns.Add(1)
	case http.StateClosed, http.StateHijacked:
		r.conns.Done()
	}
}

// Close stops the service at once: it closes the listener and every
// connection, abandons the requests waiting or in service, and waits for all
// its goroutines to exit. It returns the error that stopped serving early,
// if any.
func (r *Running) Close() error {
	// Connections first: the requests cut short then have no one to answer.
	err := r.http.Close()
	r.cancel()
	r.wait()
	return errors.Join(err, r.err())
}

// Shutdown stops accepting connections and lets the requests already
// admitted finish, until ctx is done; then it closes what remains as Close
// does. It always returns after every goroutine has exited, with ctx's error
// if it had to cut requests short.
func (r *Running) Shutdown(ctx context.Context) error {
	err := r.http.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, r.http.Close())
	}
	r.cancel()
	r.wait()
	return errors.Join(err, r.err())
}

func (r *Running) wait() {
	<-r.served
	r.conns.Wait()
}

func (r *Running) err() error {
	r.serveMu.Lock()
	defer r.serveMu.Unlock()
	return r.serveErr
}
