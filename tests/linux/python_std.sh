# Debian's python3.11 (python3.11-minimal and libpython3.11-stdlib: the interpreter and its
# standard library, dynamically linked against libc, libm, zlib and expat) running a script that
# uses the operating system through it: files and directories, processes, pipes, signals, time,
# socket pairs and select, and the pure modules (json, struct, re, hashlib, random with a seed,
# csv, argparse).
python3 - one two <<'SCRIPT'
import argparse, base64, collections, csv, hashlib, io, json, os, random, re, select, signal, socket
import struct, subprocess, sys, tempfile, textwrap, time, zlib
from pathlib import Path

print("python", sys.version_info[:2], "argv", sys.argv[1:], "platform", sys.platform, os.uname().machine)
args = argparse.ArgumentParser(prog="demo").parse_args(["--help"][:0])
print("pid positive:", os.getpid() > 0, "ppid positive:", os.getppid() > 0, "uid", os.getuid())

with tempfile.TemporaryDirectory() as d:
    base = Path(d)
    (base / "sub").mkdir()
    for i in range(5):
        (base / "sub" / f"f{i}.txt").write_text("line\n" * (i + 1))
    sizes = sorted((p.name, p.stat().st_size) for p in (base / "sub").iterdir())
    print("files:", sizes)
    print("walk:", [(Path(r).name, sorted(f)) for r, _, f in os.walk(base) if f])
    os.rename(base / "sub" / "f0.txt", base / "renamed")
    os.symlink("renamed", base / "link")
    print("link:", os.readlink(base / "link"), (base / "link").read_text().strip())
    fd = os.open(base / "raw", os.O_CREAT | os.O_WRONLY, 0o640)
    os.write(fd, b"\x00" * 10); os.lseek(fd, 100, os.SEEK_SET); os.write(fd, b"end"); os.close(fd)
    st = os.stat(base / "raw")
    print("sparse write: size", st.st_size, "mode", oct(st.st_mode & 0o777))
print("temporary directory removed:", not os.path.exists(d))

out = subprocess.run(["sh", "-c", "echo from a child; exit 3"], capture_output=True, text=True)
print("subprocess:", repr(out.stdout), out.returncode)
p = subprocess.Popen(["tr", "a-z", "A-Z"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
print("through tr:", p.communicate(b"piped both ways")[0].decode(), p.wait())
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r); os.write(w, b"child says hi"); os._exit(7)
os.close(w)
print("fork:", os.read(r, 100).decode(), "status", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))

got = []
signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
os.kill(os.getpid(), signal.SIGUSR1)
print("signal handled:", got == [signal.SIGUSR1])
signal.signal(signal.SIGALRM, lambda s, f: got.append("alarm"))
signal.setitimer(signal.ITIMER_REAL, 0.05); time.sleep(0.2)
print("timer:", got[-1])
t0 = time.monotonic(); time.sleep(0.1); print("slept at least 0.1 s:", time.monotonic() - t0 >= 0.1)

a, b = socket.socketpair()
a.sendall(b"over a socket pair" * 3000)     # within the server's 64 KiB buffer (docs/linux-server.md)
ready = select.select([b], [], [], 1.0)[0]
got_bytes = b""
while len(got_bytes) < 54000:
    got_bytes += b.recv(65536)
print("socketpair and select:", ready == [b], len(got_bytes), a.family == socket.AF_UNIX, a.type == socket.SOCK_STREAM)
a.close(); print("peer closed:", b.recv(10), select.select([b], [], [], 0)[0] == [b]); b.close()
r, w = os.pipe(); print("60,000 bytes into a pipe nobody reads yet:", os.write(w, b"p" * 60000), len(os.read(r, 65536)))
poller = select.poll(); r, w = os.pipe(); poller.register(r, select.POLLIN)
print("poll, empty pipe:", poller.poll(0)); os.write(w, b"x"); print("poll, one byte:", poller.poll(0) == [(r, select.POLLIN)])
doc = {"name": "modem", "frames": [1, 2, 3], "nested": {"ok": True, "none": None, "pi": 3.25}}
text = json.dumps(doc, sort_keys=True, indent=1)
print("json:", json.loads(text) == doc, text.replace("\n", " "))
print("struct:", struct.pack("<IhB", 0x01020304, -2, 255).hex(), struct.unpack(">Q", b"\x00" * 7 + b"\x2a"))
print("re:", re.findall(r"(\w+)=(\d+)", "a=1, bb=22, ccc=333"), re.sub(r"\s+", " ", "x  y\t\tz"))
print("sha256:", hashlib.sha256(b"abc").hexdigest()[:16], "md5:", hashlib.md5(b"").hexdigest()[:8])
print("zlib round trip:", zlib.decompress(zlib.compress(b"z" * 1000)) == b"z" * 1000, zlib.crc32(b"hello"))
print("base64:", base64.b64encode(b"\x00\xffbytes").decode())
random.seed(42); print("random with a seed:", [random.randint(1, 100) for _ in range(5)])
print("counter:", collections.Counter("mississippi").most_common(2))
buf = io.StringIO(); csv.writer(buf).writerows([["a", "b,c"], [1, 2]]); print("csv:", repr(buf.getvalue()))
print(textwrap.fill("the quick brown fox jumps over the lazy dog", 16))
try:
    open("/no/such/file")
except FileNotFoundError as e:
    print("error:", e.errno, e.strerror)
sys.exit(5)
SCRIPT
echo "python exit $?"
