# Every applet of the busybox in the root file system, where `busybox --install -s` puts it, and
# each installed there as a link to /bin/busybox.  tools/mkinitramfs.py installs the links from
# this list as recorded on real Linux (busybox_list.exp).
busybox --list-full | sort
for p in $(busybox --list-full); do
    [ /$p = /bin/busybox ] || [ "$(readlink /$p)" = /bin/busybox ] || echo "not installed: /$p"
done
echo "$(busybox --list | wc -l) applets"
