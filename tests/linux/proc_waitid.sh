# waitid: P_PID, P_PGID, P_ALL; WEXITED, WSTOPPED, WCONTINUED, WNOHANG, WNOWAIT; the siginfo
# and rusage it fills, and its errors (proc_waitid.c); python's os.waitid.
/bin/proc_waitid
python3 -c '
import os, signal
pid = os.fork()
if pid == 0:
    signal.pause()
    os._exit(0)
print("running:", os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG))
os.kill(pid, signal.SIGTERM)
r = os.waitid(os.P_PID, pid, os.WEXITED)
print(r.si_signo, r.si_code == os.CLD_KILLED, r.si_status, r.si_pid == pid, r.si_uid == os.getuid())
try:
    os.waitid(os.P_ALL, 0, os.WEXITED)
except ChildProcessError as e:
    print("none left:", e.errno)
'
