#!/usr/bin/env python3
"""Pack files into an initramfs: a cpio archive in the "newc" format Linux uses.

    tools/mkinitramfs.py [--partition] [--busybox BUSYBOX LIST] [--tree DIR]
                         [--cpython-tests DIR LIST] OUT DEST=SOURCE ...

DEST is the path inside the archive (leading / optional), SOURCE a file on the host; the
directories on the way are created.  Executables keep their mode bits; a SOURCE of the form
`@TARGET` makes DEST a symbolic link to TARGET.  The Linux server reads the archive as its root
file system.  With --partition the output is the root file system partition for flash: the
header of protocol/bootinfo.py, then the archive at ROOTFS_DATA_OFFSET.

With --busybox, BUSYBOX goes to /bin/busybox and every one of its applets becomes a symbolic link
to it where `busybox --install -s` puts it (/bin, /sbin, /usr/bin, /usr/sbin), unless a file of
the tree or a DEST=SOURCE pair is already there (Debian's coreutils, grep and sed).  Where: LIST, the
output of `busybox --list-full` recorded on real Linux (tests/linux/busybox_list.exp, by
tools/record_linux.py: the armhf binary cannot run on the build machine).  That list must name
exactly the applets the binary holds (busybox keeps their names as one sorted, NUL-separated
string), so a different busybox is refused until the list is recorded again.

With --tree, the files and links under DIR go in at the same paths: Debian's armhf packages as
tools/setup unpacks them (the dynamic linker, the C library, bash...), less what a root file
system without a package manager never reads (TREE_LEFT_OUT).  DEST=SOURCE pairs win over the
tree.

With --cpython-tests, DIR is Debian's libpython3.11-testsuite unpacked (tools/setup) and LIST
names test modules and the files each reads (tests/cpython/modules.txt): only those go in, at
/usr/lib/python3.11/test/, next to the test.support and test.libregrtest of the standard library.
"""

from __future__ import annotations

import argparse
import stat
import sys
from collections.abc import Container
from pathlib import Path, PurePosixPath

from construct import Const, PaddedString, Struct

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from protocol import crc32  # noqa: E402
from protocol.bootinfo import ROOTFS_DATA_OFFSET, RootfsHeader  # noqa: E402

TRAILER = "TRAILER!!!"

# Every number in a newc header is 8 ASCII hex digits.
def _hex(name: str):
    return name / PaddedString(8, "ascii")


NewcHeader = Struct(
    "magic" / Const(b"070701"),
    _hex("ino"), _hex("mode"), _hex("uid"), _hex("gid"), _hex("nlink"), _hex("mtime"),
    _hex("filesize"), _hex("devmajor"), _hex("devminor"), _hex("rdevmajor"), _hex("rdevminor"),
    _hex("namesize"), _hex("check"),
)


def _pad4(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def entry(ino: int, name: str, mode: int, data: bytes = b"") -> bytes:
    fields = dict(ino=ino, mode=mode, uid=0, gid=0, nlink=2 if stat.S_ISDIR(mode) else 1, mtime=0,
                  filesize=len(data), devmajor=0, devminor=0, rdevmajor=0, rdevminor=0,
                  namesize=len(name) + 1, check=0)
    header = NewcHeader.build({k: f"{v:08x}" for k, v in fields.items()})
    return _pad4(header + name.encode() + b"\0") + _pad4(data)


def build(files: dict[str, Path | str | None]) -> bytes:
    out = bytearray()
    dirs: set[str] = set()
    ino = 1
    for dest in sorted(files):
        path = PurePosixPath(dest.lstrip("/"))
        for parent in reversed(path.parents[:-1]):
            if str(parent) not in dirs:
                dirs.add(str(parent))
                out += entry(ino, str(parent), stat.S_IFDIR | 0o755)
                ino += 1
        source = files[dest]
        if source is None:                          # an empty directory
            if str(path) not in dirs:
                dirs.add(str(path))
                out += entry(ino, str(path), stat.S_IFDIR | 0o755)
                ino += 1
            continue
        if isinstance(source, str):                 # a symbolic link to `source`
            out += entry(ino, str(path), stat.S_IFLNK | 0o777, source.encode())
        else:
            mode = 0o755 if source.stat().st_mode & 0o111 else 0o644
            out += entry(ino, str(path), stat.S_IFREG | mode, source.read_bytes())
        ino += 1
    out += entry(0, TRAILER, 0)
    return bytes(out)


BUSYBOX = "/bin/busybox"


#: what --tree leaves out: documentation, locales and character set converters, a new user's dot
#: files, the audit and memory-profiling libraries
TREE_LEFT_OUT = ("usr/share/*", "*/gconv/*", "etc/skel/*", "*/audit/*", "*/libmemusage.so", "*/libpcprofile.so")


def tree_files(tree: Path) -> dict[str, Path | str]:
    """{path in the archive: file, or "@"-less link target} for everything under `tree`."""
    from fnmatch import fnmatchcase

    files: dict[str, Path | str] = {}
    for path in sorted(tree.rglob("*")):
        dest = path.relative_to(tree).as_posix()
        if any(fnmatchcase(dest, pattern) for pattern in TREE_LEFT_OUT):
            continue
        if path.is_symlink():
            files[dest] = str(path.readlink())
        elif path.is_file():
            files[dest] = path
    return files


#: where CPython's test package lives, in the archive and in the unpacked test suite
CPYTHON_TEST_DIR = "usr/lib/python3.11/test"


def cpython_test_modules(listing: Path) -> dict[str, list[str]]:
    """{module: [files under test/ it reads]} from a list such as tests/cpython/modules.txt
    (words starting with @ are marks for the runner, such as @slow)."""
    modules: dict[str, list[str]] = {}
    for line in listing.read_text().splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            modules[words[0]] = [w for w in words[1:] if not w.startswith("@")]
    return modules


def cpython_test_files(tree: Path, listing: Path) -> dict[str, Path]:
    """{path in the archive: file} for the modules `listing` names, each a module file
    (test_x.py) or a package (test_x/), with the files it reads, out of the test suite `tree`."""
    top = tree / CPYTHON_TEST_DIR
    files: dict[str, Path] = {}
    for module, data in cpython_test_modules(listing).items():
        for name in [module if (top / module).is_dir() else module + ".py", *data]:
            path = top / name
            if not path.exists():
                raise ValueError(f"{listing}: {name} is not in the test suite ({top})")
            for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
                if file.is_file() and "__pycache__" not in file.parts:
                    files[file.relative_to(tree).as_posix()] = file
    return files


def busybox_applets(binary: bytes) -> list[str]:
    """The applet names compiled into a busybox binary: its `applet_names`, sorted and NUL
    separated, starting "[", "[[" (the test applets) when both are built in."""
    start = binary.find(b"\0[\0[[\0")
    if start < 0:
        raise ValueError("no applet name table (\"[\", \"[[\", ...) in the busybox binary")
    names, pos = [], start + 1
    while True:
        end = binary.index(b"\0", pos)
        name = binary[pos:end]
        if not name or not all(0x21 <= c < 0x7F for c in name):
            break
        names.append(name.decode())
        pos = end + 1
    if names != sorted(names):
        raise ValueError("the busybox binary's applet names are not sorted: not its applet table")
    return names


def busybox_links(binary: Path, recorded: Path, taken: Container[str] = ()) -> dict[str, str]:
    """{path in the archive: "/bin/busybox"} for every applet, from `busybox --list-full`'s
    recorded output, held to the names in `binary`, but none at a path in `taken`: where Debian's
    own program is there (GNU ls in /bin/ls), it stays, as on a Debian system with busybox."""
    # the list's lines are paths; what the script prints after them has spaces ("exit 0")
    paths = [line for line in recorded.read_text().splitlines() if line and " " not in line]
    listed = sorted(PurePosixPath(p).name for p in paths)
    built = busybox_applets(binary.read_bytes())
    if listed != sorted(built):
        differ = sorted(set(listed) ^ set(built))
        raise ValueError(f"{recorded} does not list the applets of {binary} (differ: {' '.join(differ[:8])}); "
                         f"record it again: tools/record_linux.py {recorded.stem}")
    return {p: BUSYBOX for p in paths if "/" + p != BUSYBOX and p not in taken}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partition", action="store_true", help="write the flash partition")
    parser.add_argument("--busybox", nargs=2, type=Path, metavar=("BUSYBOX", "LIST"),
                        help="install BUSYBOX as /bin/busybox with its applets' links where LIST puts them")
    parser.add_argument("--tree", type=Path, metavar="DIR", help="add the files and links under DIR")
    parser.add_argument("--cpython-tests", nargs=2, type=Path, metavar=("DIR", "LIST"),
                        help="add the CPython test modules LIST names from the test suite unpacked in DIR")
    parser.add_argument("out", type=Path)
    parser.add_argument("files", nargs="*", help="DEST=SOURCE")
    args = parser.parse_args()
    files: dict = tree_files(args.tree) if args.tree else {}
    if args.cpython_tests:
        try:
            files.update(cpython_test_files(*args.cpython_tests))
        except (OSError, ValueError) as exc:
            parser.exit(1, f"mkinitramfs: {exc}\n")
    for spec in args.files:
        dest, _, source = spec.partition("=")
        if not source:
            parser.error(f"{spec!r}: expected DEST=SOURCE")
        files[dest] = source[1:] if source.startswith("@") else Path(source)
    if args.busybox:
        busybox, recorded = args.busybox
        try:
            files.update(busybox_links(busybox, recorded, taken=files))
        except (OSError, ValueError) as exc:
            parser.exit(1, f"mkinitramfs: {exc}\n")
        files[BUSYBOX.lstrip("/")] = busybox
    data = build(files)
    if args.partition:
        header = RootfsHeader.build(dict(length=len(data), crc=crc32(data)))
        data = header + b"\xff" * (ROOTFS_DATA_OFFSET - len(header)) + data
    tmp = args.out.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
