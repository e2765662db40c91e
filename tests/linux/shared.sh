# Anonymous shared memory (MAP_SHARED | MAP_ANONYMOUS) across fork
shared
