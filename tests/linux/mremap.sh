# mremap (tests/linux/mremap.c): shrink, grow, move, fixed, errors.
mremap
echo "exit $?"
