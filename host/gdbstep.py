"""Runs inside gdb-multiarch (`gdb -batch -x host/gdbstep.py`), attached to QEMU's gdb stub:
`rig profile`'s stepper (host/profile.py starts it and reads what it writes).

It waits for the start (a breakpoint, with an optional gdb condition, and the code expected
there so that another space running the same address is let through), then single-steps every
instruction the processor runs, in every space, until the stop address (in the start's space
when it is a user address) or the maximum count, and writes the trace as JSON:

    {"pcs": [...], "spaces": [[index, contextidr, "code at pcs[index] in hex"], ...],
     "start_context": ..., "stopped": "stop" | "max", "idle": WFIs run past, "seconds": ...}

A space mark is written at each return to user mode into a different CONTEXTIDR (the ASID),
with the instruction bytes at the user pc, so that the host can tell whose code it is.

The steps are raw remote-protocol packets (`maint packet s`, `p`, `m`): gdb's own `stepi`
works out a frame after every step, which costs more than the step.  QEMU steps with its timers
held (letting them run while stepping under -icount hangs QEMU 7.2's stub) but interrupts on
(qqemu.sstep=0x5, not its default 0x7): a pending interrupt is taken and stepped as in a free
run.  Held, it would stay pending, and every preemption point of the kernel (an ISR.I test)
would stop a long operation and restart it, over and over.  A timer cannot fall due while
stepping, so a WFI would wait for ever: at one the board runs free to the next instruction
(the kernel idles with interrupts masked and polls after its WFI), and the trace counts the
WFI once.

Parameters come as JSON in the environment variable RIG_PROFILE: start, condition, start_code
(hex or null), hit (which hit of the start), stop (an address, "return": the start's lr, or
null), max, wfi (the kernel's WFI addresses), irq_vector, out.
"""

import json
import os
import re
import time

import gdb  # type: ignore[import-not-found]  # gdb's own module

KERNEL_BASE = 0xC0000000
CODE_BYTES = 16
PC, LR = 15, 14


def packet(text: str) -> str:
    """One remote-protocol exchange; the reply's payload."""
    said = gdb.execute(f"maint packet {text}", to_string=True)
    m = re.search(r'received: "(.*)"\s*$', said, re.S)
    if not m:
        raise gdb.GdbError(f"no reply to {text!r}: {said!r}")
    return m.group(1)


def register(number: int) -> int:
    value = packet(f"p {number:x}")
    if not value or value.startswith("E"):
        raise gdb.GdbError(f"the stub does not give register {number}: {value!r}")
    return int.from_bytes(bytes.fromhex(value[:8]), "little")


def memory(address: int, length: int) -> bytes:
    value = packet(f"m {address:x},{length:x}")
    return b"" if value.startswith("E") else bytes.fromhex(value)


def remote_number(name: str) -> int | None:
    """The stub's number for the register `name` (QEMU's system registers), or None."""
    table = gdb.execute("maint print remote-registers", to_string=True)
    for line in table.splitlines():
        cells = line.split()
        if cells and cells[0] == name and len(cells) >= 7 and cells[6].isdigit():
            return int(cells[6])
    return None


def run_to(address: int) -> None:
    """Let the board run until `address` (any space)."""
    packet(f"Z0,{address:x},4")
    reply = packet("c")
    packet(f"z0,{address:x},4")
    if not reply.startswith(("T", "S")):
        raise gdb.GdbError(f"running to {address:#x} ended with {reply!r}")


def settle(start: int, irq_vector: int | None, limit: int) -> int:
    """Step the start's instruction; the pc after it.  Stopping the board warps QEMU's virtual
    clock (-icount, sleep=off) to its next timer, so a tick is due when the start is reached:
    when the step lands on the IRQ vector, the interrupt is stepped through untraced (it comes
    before the start in a free run) until the start runs again."""
    packet("s")
    pc = register(PC)
    if pc != irq_vector:
        return pc
    for _ in range(limit):
        packet("s")
        pc = register(PC)
        if pc == start:
            packet("s")
            return register(PC)
    raise gdb.GdbError(f"the interrupt due at the start did not return to it within {limit} instructions")


class Start(gdb.Breakpoint):
    """The start breakpoint: stops at its `hit`th hit where the code is the one expected (when
    given; gdb tests the condition first)."""

    def __init__(self, address: int, code: bytes | None, hit: int):
        super().__init__(f"*{address:#x}", internal=True)
        self.code = code
        self.left = hit
        self.reached = False

    def stop(self) -> bool:
        if self.code is not None:
            pc = int(gdb.parse_and_eval("$pc"))
            if bytes(gdb.selected_inferior().read_memory(pc, len(self.code))) != self.code:
                return False
        self.left -= 1
        self.reached = self.left == 0
        return self.reached


def main() -> None:
    params = json.loads(os.environ["RIG_PROFILE"])
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    context_reg = remote_number("CONTEXTIDR_EL1") or remote_number("CONTEXTIDR")
    gdb.execute("set remotetimeout 60")
    packet("qqemu.sstep=0x5")
    start = Start(params["start"], bytes.fromhex(params["start_code"]) if params.get("start_code") else None,
                  int(params.get("hit", 1)))
    if params.get("condition"):
        start.condition = params["condition"]
    gdb.events.cont.connect(lambda _event: print("rig-profile: armed", flush=True))
    gdb.execute("continue")
    if not start.reached:                   # interrupted: the rig gave up waiting
        raise gdb.GdbError("interrupted before the start")
    start.delete()
    print("rig-profile: started", flush=True)

    def context() -> int | None:
        return register(context_reg) if context_reg is not None else None

    start_context = context()
    stop = params.get("stop")
    if stop == "return":
        stop = register(LR) & ~1
    limit = int(params["max"])
    wfi = set(params.get("wfi", ()))
    idle = 0
    pcs: list[int] = []
    spaces: list[list] = []
    current = start_context
    in_kernel = True
    stopped = "max"
    began = time.monotonic()
    pc = int(params["start"])
    while len(pcs) < limit:
        user = pc < KERNEL_BASE
        if user and in_kernel:              # back in user mode: in which space?
            now = context()
            if now != current or not spaces:
                spaces.append([len(pcs), now, memory(pc, CODE_BYTES).hex()])
                current = now
        in_kernel = not user
        if pcs and pc == stop and (not user or current == start_context):
            stopped = "stop"
            break
        pcs.append(pc)
        if len(pcs) == 1:
            pc = settle(pc, params.get("irq_vector"), limit)
            continue
        if pc in wfi:                       # run to the instruction after it
            run_to(pc + 4)
            idle += 1
        else:
            reply = packet("s")
            if not reply.startswith(("T", "S")):
                raise gdb.GdbError(f"the step ended with {reply!r}")
        pc = register(PC)
    seconds = time.monotonic() - began
    packet("qqemu.sstep=0x7")               # QEMU's default again, for the next gdb
    with open(params["out"], "w") as f:
        json.dump(dict(pcs=pcs, spaces=spaces, start_context=start_context, stopped=stopped,
                       idle=idle, seconds=round(seconds, 3)), f)
    print(f"rig-profile: done {len(pcs)} {seconds:.3f}", flush=True)
    gdb.execute("detach")


try:
    main()
except Exception as exc:                    # one line for the rig, then gdb exits non-zero
    print(f"rig-profile: error {exc}", flush=True)
    try:
        gdb.execute("detach", to_string=True)
    except gdb.error:
        pass
    gdb.execute("quit 1")
