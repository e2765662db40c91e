# POSIX threads from glibc (tests/linux/dyn_threads.c, dynamically linked): locks, condition
# variables, a timed wait, barriers, thread-local storage, signals to a thread and to the process,
# fork, exit and execve in a threaded process, and 200 threads made and joined.
dyn_threads
echo "exit $?"
