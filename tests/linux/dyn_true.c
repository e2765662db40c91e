/* The smallest dynamically linked program: linux.exec_dynamic (tests/linux/lbench.c) runs it to
 * time fork, execve through the dynamic linker, and wait. */
int main(void)
{
    return 0;
}
