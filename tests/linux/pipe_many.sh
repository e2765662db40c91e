# Many processes blocked on one pipe, readers and writers (pipe_many.c).
/bin/pipe_many
