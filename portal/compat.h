/*
 * compat.h - included first by every C file of the portal.
 *
 * Fixes the feature-test macros before any system header is read, and
 * defines the few attributes the code base relies on.
 */
#ifndef PORTAL_COMPAT_H
#define PORTAL_COMPAT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define PORTAL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define PORTAL_NORETURN __attribute__((noreturn))
#define PORTAL_UNUSED __attribute__((unused))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
