# Debian's python3.11 waiting on many things and talking over local sockets: selectors'
# DefaultSelector (epoll), a server and client through a socket's path, datagrams, and asyncio
# running an echo over a socket pair and a server on a path.
python3 - <<'SCRIPT'
import asyncio, os, selectors, socket, sys

sel = selectors.DefaultSelector()
print("selector:", type(sel).__name__)
r, w = os.pipe()
sel.register(r, selectors.EVENT_READ, "pipe")
print("nothing yet:", sel.select(0))
os.write(w, b"x")
print("ready:", [(k.data, mask) for k, mask in sel.select(1)])
sel.modify(r, selectors.EVENT_READ | selectors.EVENT_WRITE, "pipe both")
sel.register(w, selectors.EVENT_WRITE, "write end")
print("both:", sorted((k.data, mask) for k, mask in sel.select(1)))
sel.unregister(w)
os.read(r, 1)
os.close(w)
print("writer closed:", [(k.data, mask) for k, mask in sel.select(1)])
sel.unregister(r)
os.close(r)

path = "/tmp/py.sock"
if os.path.exists(path):
    os.unlink(path)
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen()
print("bound:", srv.getsockname(), "is a socket:", __import__("stat").S_ISSOCK(os.stat(path).st_mode))
sel.register(srv, selectors.EVENT_READ, "listener")
pid = os.fork()
if pid == 0:
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(path)
    c.sendall(b"ping " * 1000)
    c.shutdown(socket.SHUT_WR)
    got = b""
    while chunk := c.recv(4096):
        got += chunk
    print("child got", len(got), got[:10])
    os._exit(0)
print("listener ready:", [k.data for k, _ in sel.select(5)])
conn, addr = srv.accept()
print("accepted from", repr(addr), "peer of the child:", repr(conn.getpeername()))
data = b""
while chunk := conn.recv(1000):
    data += chunk
conn.sendall(data.upper())
conn.close()
os.waitpid(pid, 0)
sel.close()
try:
    socket.socket(socket.AF_UNIX).connect("/tmp/nobody.sock")
except OSError as e:
    print("connect to nobody:", type(e).__name__, e.errno)
try:
    socket.socket(socket.AF_UNIX).bind(path)
except OSError as e:
    print("bind again:", type(e).__name__, e.errno)
srv.close()
os.unlink(path)

d1 = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
d1.bind("/tmp/py.dg")
d2 = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
d2.bind("/tmp/py.dg2")
for word in (b"one", b"two", b"three"):
    d2.sendto(word, "/tmp/py.dg")
print("datagrams:", [d1.recvfrom(100) for _ in range(3)])
d1.setblocking(False)
try:
    d1.recv(10)
except BlockingIOError:
    print("no more: BlockingIOError")
d1.close(); d2.close()
os.unlink("/tmp/py.dg"); os.unlink("/tmp/py.dg2")
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
a.send(b"x" * 10); a.send(b"y" * 20)
print("pair datagrams:", len(b.recv(100)), len(b.recv(100)))

async def echo_pair():
    a, b = socket.socketpair()
    ra, wa = await asyncio.open_unix_connection(sock=a)
    rb, wb = await asyncio.open_unix_connection(sock=b)
    async def echo():
        while line := await rb.readline():
            wb.write(line[::-1].strip() + b"\n")
            await wb.drain()
        wb.close()
    task = asyncio.create_task(echo())
    for word in ("hello", "asyncio", "over", "a", "pair"):
        wa.write(word.encode() + b"\n")
        await wa.drain()
        print("echo:", (await ra.readline()).decode().strip())
    wa.write_eof()
    await task
    wa.close()

async def echo_server():
    async def handle(reader, writer):
        data = await reader.read()
        writer.write(b"server saw %d bytes" % len(data))
        await writer.drain()
        writer.close()
    server = await asyncio.start_unix_server(handle, "/tmp/py-async.sock")
    async def client(n):
        reader, writer = await asyncio.open_unix_connection("/tmp/py-async.sock")
        writer.write(b"z" * n)
        writer.write_eof()
        reply = await reader.read()
        writer.close()
        return reply.decode()
    print("clients:", await asyncio.gather(*(client(n) for n in (1, 1000, 100000))))
    server.close()
    await server.wait_closed()

asyncio.run(echo_pair())
asyncio.run(echo_server())
print("done")
SCRIPT
echo "exit $?"
