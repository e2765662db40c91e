# A dynamically linked program from the cross compiler, run by Debian's dynamic linker: the
# auxiliary vector, the objects ld.so loaded, dlopen and dlsym, thread-local storage.
dyn_libs first
echo "exit $?"
/lib/ld-linux-armhf.so.3 /bin/dyn_libs through-ld.so | head -2
