# A fault's siginfo: si_code and si_addr of SIGSEGV and SIGILL (sig_fault.c).
/bin/sig_fault
