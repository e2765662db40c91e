# Every applet of the busybox in the root file system, where `busybox --install -s` puts it, and
# what is there: a link to /bin/busybox, or the Debian package's own program of that name (GNU
# coreutils, grep, sed).  tools/mkinitramfs.py installs the links from this list as recorded on
# real Linux (busybox_list.exp).
busybox --list-full | sort
for p in $(busybox --list-full | sort); do
    if [ /$p = /bin/busybox ] || [ "$(readlink /$p)" = /bin/busybox ]; then :
    elif [ -f /$p ] && [ ! -L /$p ]; then echo "Debian's own: /$p"
    else echo "not installed: /$p"
    fi
done
echo "$(busybox --list | wc -l) applets"
