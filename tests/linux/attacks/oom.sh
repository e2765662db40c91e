# what: 3 loops of hog taking memory a MiB at a time until refused, and oom forcing the OOM killer
# hog mallocs and touches 1 MiB at a time until the server refuses (it keeps LOW_MEMORY for
# everyone else) or kills it; oom maps 8 MiB, has a child take the rest, then touches its 8 MiB
# with the pool empty: the server's OOM path must kill the child.  A sampler keeps the least
# free memory /proc/meminfo showed.
for i in 1 2 3; do
  ( n=0; mib=0; refused=0; killed=0
    while [ ! -e /tmp/stop ]; do
      out=$(hog); s=$?; n=$((n+1))
      case "$out" in *"refused after "*) m=${out##*after }; mib=$((mib+${m% MiB})); refused=$((refused+1));; esac
      [ $s -gt 128 ] && killed=$((killed+1))
    done
    echo "hog-runs $n" >> /tmp/atk.count; echo "hog-mib $mib" >> /tmp/atk.count
    echo "hog-refused $refused" >> /tmp/atk.count; echo "hog-killed $killed" >> /tmp/atk.count ) &
done
( n=0; while [ ! -e /tmp/stop ]; do oom > /dev/null; n=$((n+1)); done; echo "oom-runs $n" >> /tmp/atk.count ) &
( least=999999999
  while [ ! -e /tmp/stop ]; do
    while read k v u; do [ "$k" = MemFree: ] && [ "$v" -lt "$least" ] && least=$v; done < /proc/meminfo
  done
  echo "least-free-kib $least" >> /tmp/atk.count ) &
