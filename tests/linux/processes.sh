# Processes: pipes between three processes, fork/exec/wait chains, signals, exit statuses.
seq 100 | grep 7 | wc -l
sh -c 'sh -c "sh -c \"echo deep\""'
sh -c 'exit 3' | cat; echo "pipe status $?"
/bin/proc_basics
/bin/signals
sh -c 'kill -SEGV $$'; echo "segv status $?"
sh -c 'kill -TERM $$'; echo "term status $?"
