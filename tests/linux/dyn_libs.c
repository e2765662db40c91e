/* A dynamically linked program (PT_INTERP: /lib/ld-linux-armhf.so.3, libc.so.6 from Debian's
 * libc6): what the kernel's half of dynamic linking hands the dynamic linker (the auxiliary
 * vector), what ld.so made of it (the loaded objects, thread-local storage), and dlopen. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

extern char _start[];
static __thread int per_thread = 42;

static int seen_libc, seen_ld, seen_main_phdr;

static int each(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    const char *name = strrchr(info->dlpi_name, '/');
    name = name ? name + 1 : info->dlpi_name;
    if (!strcmp(name, "libc.so.6"))
        seen_libc = 1;
    if (!strcmp(name, "ld-linux-armhf.so.3"))
        seen_ld = 1;
    if (info->dlpi_phdr == data)
        seen_main_phdr = 1;
    return 0;
}

static int by_value(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

int main(int argc, char **argv)
{
    printf("argc %d, argv[0] %s\n", argc, argv[0]);
    printf("AT_BASE set: %d, AT_ENTRY is _start: %d, AT_PAGESZ %lu, AT_SECURE %lu\n",
           getauxval(AT_BASE) != 0, getauxval(AT_ENTRY) == (unsigned long)_start,
           getauxval(AT_PAGESZ), getauxval(AT_SECURE));
    printf("AT_RANDOM given: %d, AT_PLATFORM %s, AT_EXECFN %s\n", getauxval(AT_RANDOM) != 0,
           (const char *)getauxval(AT_PLATFORM), (const char *)getauxval(AT_EXECFN));
    dl_iterate_phdr(each, (void *)getauxval(AT_PHDR));
    printf("loaded: libc %d, ld.so %d, the program's headers at AT_PHDR %d\n", seen_libc, seen_ld, seen_main_phdr);

    void *m = dlopen("libm.so.6", RTLD_NOW);
    if (!m) {
        printf("dlopen: %s\n", dlerror());
        return 1;
    }
    double (*cosine)(double) = (double (*)(double))dlsym(m, "cos");
    double (*power)(double, double) = (double (*)(double, double))dlsym(m, "pow");
    printf("dlopen libm: cos(0) = %.1f, pow(2, 10) = %.0f\n", cosine(0.0), power(2.0, 10.0));
    Dl_info where;
    printf("dladdr names libm: %d\n", dladdr((void *)cosine, &where) && strstr(where.dli_fname, "libm.so.6") != NULL);
    printf("dlclose: %d\n", dlclose(m));
    printf("dlopen of a missing library fails: %d\n", dlopen("libnothere.so.1", RTLD_NOW) == NULL);

    errno = 0;
    printf("thread-local: %d, errno after a failed open: %s\n", per_thread,
           access("/no/such/file", F_OK) < 0 ? strerror(errno) : "none");
    int v[] = { 5, 3, 9, 1, 7 };
    qsort(v, 5, sizeof v[0], by_value);
    printf("qsort through libc: %d %d %d %d %d; %s\n", v[0], v[1], v[2], v[3], v[4], getenv("PATH") ? "PATH set" : "no PATH");
    return 0;
}
