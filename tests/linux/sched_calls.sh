# The scheduler's calls: affinity, policies and priorities, the round-robin interval
# (sched_calls.c), and python's os.sched_* functions.
/bin/sched_calls
python3 -c '
import os
print(os.sched_getaffinity(0), os.cpu_count() >= 1)
os.sched_setaffinity(0, {0})
print(os.sched_getaffinity(0))
print(os.sched_getscheduler(0) == os.SCHED_OTHER, os.sched_getparam(0))
print(os.sched_get_priority_min(os.SCHED_FIFO), os.sched_get_priority_max(os.SCHED_FIFO))
os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(7))
print(os.sched_getscheduler(0) == os.SCHED_RR, os.sched_getparam(0), os.sched_rr_get_interval(0))
try:
    os.sched_setaffinity(0, {1})
except OSError as e:
    print("CPU 1:", e.errno)
'
# /proc/PID/stat: priority (18), nice (19), rt_priority (40), policy (41), and its 52 fields
python3 -c '
import os
def stat():
    f = open("/proc/self/stat").read().split()
    return " ".join(f[i] for i in (17, 18, 39, 40)) + " (%d fields)" % len(f)
print(stat())
os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
print(stat())
os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
print(stat())
'
taskset -p 1
taskset 1 echo "taskset 1: ran"
taskset 2 echo "taskset 2: ran"; echo "status $?"
