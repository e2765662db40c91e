# The alternate signal stack: sigaltstack's states and errors, SA_ONSTACK handlers, nesting,
# SS_AUTODISARM, fork and exec (sig_altstack.c).
/bin/sig_altstack
