# Debian's python3.11 with threads: four workers sharing a lock and a queue, an Event, a
# Condition, a timed wait that times out, a thread pool, threads that fork a subprocess, and a
# signal handled in the main thread while others run.
python3 - <<'SCRIPT'
import concurrent.futures, os, queue, signal, subprocess, sys, threading, time

lock = threading.Lock()
total = 0
work = queue.Queue()
results = queue.Queue()

def worker(n):
    global total
    while True:
        item = work.get()
        if item is None:
            work.task_done()
            return
        with lock:
            total += item
        results.put((n, item * item))
        work.task_done()

threads = [threading.Thread(target=worker, args=(i,), name=f"worker-{i}") for i in range(4)]
for t in threads:
    t.start()
for i in range(1, 1001):
    work.put(i)
for _ in threads:
    work.put(None)
work.join()
for t in threads:
    t.join()
squares = []
while not results.empty():
    squares.append(results.get()[1])
print("total", total, "squares", sum(squares), "items", len(squares))
print("names", sorted(t.name for t in threads), "alive after join", any(t.is_alive() for t in threads))
print("active count back to", threading.active_count())

ids = {}
def record():
    ids[threading.current_thread().name] = (os.getpid(), threading.get_native_id())
t = threading.Thread(target=record, name="ids")
t.start(); t.join()
print("same pid in a thread:", ids["ids"][0] == os.getpid(),
      "own native id:", ids["ids"][1] != threading.get_native_id())

ready = threading.Event()
cond = threading.Condition()
box = []
def producer():
    ready.wait()
    with cond:
        box.append("made")
        cond.notify()
p = threading.Thread(target=producer)
p.start()
with cond:
    ready.set()
    cond.wait_for(lambda: box, timeout=10)
p.join()
print("condition:", box)

start = time.monotonic()
e = threading.Event()
print("timed wait returns", e.wait(0.05), "after at least its timeout:", time.monotonic() - start >= 0.05)

with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
    print("pool:", list(pool.map(lambda x: x * 3, range(10))))

outs = []
def run_child(i):
    r = subprocess.run(["sh", "-c", f"echo child {i}; exit {i}"], capture_output=True, text=True)
    with lock:
        outs.append((r.stdout.strip(), r.returncode))
kids = [threading.Thread(target=run_child, args=(i,)) for i in range(3)]
for k in kids:
    k.start()
for k in kids:
    k.join()
print("subprocesses from threads:", sorted(outs))

got = []
signal.signal(signal.SIGUSR1, lambda s, f: got.append(threading.current_thread() is threading.main_thread()))
stop = threading.Event()
spinner = threading.Thread(target=lambda: stop.wait())
spinner.start()
os.kill(os.getpid(), signal.SIGUSR1)
deadline = time.monotonic() + 5
while not got and time.monotonic() < deadline:
    time.sleep(0.01)
stop.set()
spinner.join()
print("signal handled in the main thread:", got)

local = threading.local()
local.v = "main"
seen = []
def peek():
    seen.append(getattr(local, "v", "unset"))
    local.v = "thread"
t = threading.Thread(target=peek); t.start(); t.join()
print("thread-local:", seen, local.v)
SCRIPT
echo "exit $?"
