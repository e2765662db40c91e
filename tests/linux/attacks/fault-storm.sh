# what: 3 loops starting dd, each with a fresh 256 KiB buffer touched page by page
for i in 1 2 3; do
  ( n=0; while [ ! -e /tmp/stop ]; do dd if=/dev/zero of=/dev/null bs=256k count=2 2>/dev/null; n=$((n+1)); done; echo "dd-runs $n" >> /tmp/atk.count ) &
done
