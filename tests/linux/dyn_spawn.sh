# posix_spawn and vfork (clone with CLONE_VM | CLONE_VFORK: dyn_spawn.c), and python's
# subprocess and os.posix_spawn, which use them.
/bin/dyn_spawn
python3 -c '
import os, subprocess, sys
print(subprocess.run(["echo", "from subprocess"], capture_output=True, text=True).stdout, end="")
try:
    subprocess.run(["/no/such/program"])
except FileNotFoundError as e:
    print("FileNotFoundError", e.errno)
pid = os.posix_spawn("/bin/sh", ["sh", "-c", "exit 3"], os.environ)
print("posix_spawn:", os.waitpid(pid, 0)[1] >> 8)
try:
    os.posix_spawn("/no/such", ["x"], os.environ)
except OSError as e:
    print("posix_spawn error:", e.errno)
pid = os.posix_spawnp("echo", ["echo", "posix_spawnp"], os.environ, setsid=True)
print(os.waitpid(pid, 0)[1])
'
