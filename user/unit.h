/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host unit tests' few helpers: TAP results and capturing what a
 * printer writes. Each *_test.c includes this once.
 */
#ifndef VBLK_UNIT_H
#define VBLK_UNIT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static int unit_tests, unit_failures;

static inline void ok(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One TAP result. */
static inline void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	unit_tests++;
	if (!cond)
		unit_failures++;
	printf("%sok %d - ", cond ? "" : "not ", unit_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Run @fn into a memory stream and return the text (malloc'd). */
static inline char *capture(void (*fn)(FILE *f, const void *arg),
			    const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, arg);
	fclose(f);
	return buf;
}

/* The plan and a summary; the exit status of main(). */
static inline int unit_done(void)
{
	printf("1..%d\n", unit_tests);
	printf("# %d passed, %d failed\n", unit_tests - unit_failures,
	       unit_failures);
	return unit_failures ? 1 : 0;
}

#endif /* VBLK_UNIT_H */
