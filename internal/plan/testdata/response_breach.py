#!/usr/bin/env python3
# The hand check of TestLatencyResponseTarget and TestLatencyResponseTargetBreach
# (internal/plan/latency_test.go): python3 internal/plan/testdata/response_breach.py (needs mpmath).
# Independent check: Erlang C from its factorial definition, P(R <= t) by
# numerical integration of the wait's law (atom 1-C at 0, density
# C*d*exp(-d*w) above), convolved with exponential service. No closed form
# for the response time is used.
from mpmath import mp, mpf, factorial, exp, quad, log, findroot
import datetime
mp.dps = 30
def erlangC(c, a):
    s = sum(a**k/factorial(k) for k in range(c))
    top = a**c/factorial(c) * c/(c-a)
    return top/(s+top)
def resp_level(lam, c, S, t):
    mu = 1/mpf(S); a = lam*S; C = erlangC(c, a); d = c*mu - lam
    atom = (1-C)*(1-exp(-mu*t))
    cont = quad(lambda w: C*d*exp(-d*w)*(1-exp(-mu*(t-w))), [0, t])
    return atom + cont
def wait_level(lam, c, S, t):
    mu = 1/mpf(S); a = lam*S; C = erlangC(c, a); d = c*mu - lam
    return 1 - C*quad(lambda w: d*exp(-d*w), [t, mp.inf])
S = mpf('0.010')
for c in (16, 17):
    print(c, 'P(R<=40ms)', resp_level(mpf(1500), c, S, mpf('0.040')), 'P(W<=30ms)', wait_level(mpf(1500), c, S, mpf('0.030')))
def bisect(f, lo, hi):
    for _ in range(200):
        mid = (lo+hi)/2
        if f(mid): lo = mid
        else: hi = mid
    return lo
lr = bisect(lambda l: resp_level(l, 17, S, mpf('0.040')) >= mpf('0.95'), mpf(1500), mpf(1700))
lw = bisect(lambda l: wait_level(l, 17, S, mpf('0.030')) >= mpf('0.95'), mpf(1500), mpf(1700))
print('lambda* response', lr, 'wait', lw)
# the breach day: demand 1500*1.02^months(2027-01-01 -> d) first above lambda*
def months(a, b):
    # whole calendar months then share of the month (plan.monthsBetween), a is the 1st here
    n = (b.year-a.year)*12 + b.month-a.month
    anchor = datetime.date(a.year + (a.month-1+n)//12, (a.month-1+n)%12+1, 1)
    if anchor > b:
        n -= 1; anchor = datetime.date(a.year + (a.month-1+n)//12, (a.month-1+n)%12+1, 1)
    nxt = datetime.date(a.year + (a.month+n)//12, (a.month+n)%12+1, 1)
    return n + (b-anchor).days/(nxt-anchor).days
d0 = datetime.date(2027,1,1)
for name, lam in (('response', lr), ('wait', lw)):
    m = log(lam/1500)/log(mpf('1.02'))
    d = d0
    while 1500*mpf('1.02')**months(d0, d) <= lam: d += datetime.timedelta(days=1)
    print(name, 'months', m, 'breach day', d, 'demand that day', 1500*mpf('1.02')**months(d0,d))
