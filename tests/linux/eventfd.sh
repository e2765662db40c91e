# eventfd and eventfd2 (tests/linux/eventfd.c).
eventfd
echo "exit $?"
