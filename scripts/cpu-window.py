#!/usr/bin/env python3
"""cpu-window.py WORK DURATION STATUS_URL: the steady-window CPU of the
generator bench-peers-open.sh has just started, measured the same way for
every tool.

It waits for the child's PID in WORK/child (the /usr/bin/time that
bench-peers' child() started), takes the generator (its only child, the
process taskset became), and at 2 s after the generator's start and 1 s
before its scheduled end reads the generator's user + system CPU from /proc/PID/stat
(every thread's, in clock ticks) and nginx's served-request counter
(stub_status at STATUS_URL: the server's count, not the tool's). It writes
"cpu_s requests seconds" for the window between to WORK/window; when it
has no figure (a run too short for a window, the process gone first, nginx
not answering) it writes why to WORK/window.err instead. Start-up
and end-of-run work (the tool's parsing, report writing) fall outside the
window: what is left is the cost per request while the load is steady.
"""
import os, sys, time, urllib.request

work, dur, status = sys.argv[1], float(sys.argv[2]), sys.argv[3]
found = 'no process found'
LEAD, TAIL = 2.0, 1.0
out = os.path.join(work, 'window')


def served():
    # "Active connections: N\nserver accepts handled requests\n A H R\n..."
    lines = urllib.request.urlopen(status, timeout=2).read().decode().split('\n')
    return int(lines[2].split()[2])


def cpu(pid):
    f = open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf('SC_CLK_TCK')  # utime + stime


def main():
    if dur < LEAD + TAIL + 1:
        return 'a run of %gs is too short for a window' % dur
    t0 = time.monotonic()
    pid = None
    while pid is None and time.monotonic() - t0 < 5:
        try:
            p = int(open(os.path.join(work, 'child')).read().split()[0])
            kids = open('/proc/%d/task/%d/children' % (p, p)).read().split()
            pid = int(kids[0]) if kids else None
        except (OSError, ValueError, IndexError):
            pass
        if pid is None:
            time.sleep(0.005)
    if pid is None:
        return 'no generator process found within 5 s'
    global found
    found = 'child %d, generator %d (%s)' % (p, pid, open('/proc/%d/comm' % pid).read().strip())
    # The window is timed from the generator's own start (field 22 of its
    # stat, in clock ticks since boot), not from this script's, which a
    # busy machine can delay by a second.
    t0 = int(open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()[19]) / os.sysconf('SC_CLK_TCK')
    clock = lambda: time.clock_gettime(time.CLOCK_BOOTTIME)
    time.sleep(max(0, t0 + LEAD - clock()))
    c0, s0, a = cpu(pid), served(), clock()
    time.sleep(max(0, t0 + dur - TAIL - clock()))
    c1, s1, b = cpu(pid), served(), clock()
    # s1 - s0 counts the first status request itself.
    open(out, 'w').write('%r %d %r\n' % (c1 - c0, s1 - s0 - 1, b - a))


try:
    why = main()
except Exception as e:  # the process ended or nginx did not answer: no window figure
    why = '%s: %s; %s' % (type(e).__name__, e, found)
if why:
    open(out + '.err', 'w').write(why + '\n')
