/*
 * A minimal check harness for the plain-C parts of netman (decisions and
 * parsers that use no MicroPython), compiled and run by tests/test_c_units.py.
 * Each test_*.c names what it needs in two comment lines:
 *   // sources: cmod/netman/netman_text.c ...   (paths from the repository root)
 *   // include: cmod/netman ...                 (include directories)
 */
#ifndef NETMAN_TEST_CHECK_H
#define NETMAN_TEST_CHECK_H

#include <stdio.h>

static int check_failures;

#define CHECK(cond) do { \
        if (!(cond)) { \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
            check_failures++; \
        } \
} while (0)

// Every test file's main() ends with this: the exit status is the verdict.
#define CHECK_DONE() do { \
        if (check_failures == 0) { \
            printf("all checks passed\n"); \
        } \
        return check_failures != 0; \
} while (0)

#endif // NETMAN_TEST_CHECK_H
