# Extended attributes as shutil meets them: none listed on a file or a directory, a trusted
# name not there, a user name refused, and the errors of a missing file and a bad descriptor.
cd /tmp && echo data > xa && python3 -c '
import os
def show(what, f):
    try:
        print(what, f())
    except OSError as e:
        print(what, e.strerror)
show("list file", lambda: os.listxattr("xa"))
show("list dir", lambda: os.listxattr("/tmp"))
show("list fd", lambda: os.listxattr(os.open("xa", os.O_RDONLY)))
show("list link", lambda: (os.symlink("xa", "xl"), os.listxattr("xl", follow_symlinks=False))[1])
show("get trusted", lambda: os.getxattr("xa", "trusted.x"))
show("remove trusted", lambda: os.removexattr("xa", "trusted.x"))
show("set user", lambda: os.setxattr("xa", "user.x", b"1"))
show("list missing", lambda: os.listxattr("nowhere"))
show("get missing", lambda: os.getxattr("nowhere", "trusted.x"))
show("list bad fd", lambda: os.listxattr(99))
'; rm -f xa xl
