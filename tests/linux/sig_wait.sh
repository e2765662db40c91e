# Waiting for a signal: rt_sigtimedwait through sigwait, sigwaitinfo and sigtimedwait
# (sig_wait.c), and python's signal.sigtimedwait and sigwait.
/bin/sig_wait
python3 -c '
import os, signal
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1, signal.SIGUSR2])
os.kill(os.getpid(), signal.SIGUSR1)
i = signal.sigtimedwait([signal.SIGUSR1], 1)
print(i.si_signo, i.si_code, i.si_pid == os.getpid(), i.si_uid == os.getuid())
print(signal.sigtimedwait([signal.SIGUSR1], 0.05))
signal.raise_signal(signal.SIGUSR2)
print(signal.sigwait([signal.SIGUSR1, signal.SIGUSR2]))
'
