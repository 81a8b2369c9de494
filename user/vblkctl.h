/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vblkctl's internals: what its command files share.
 */
#ifndef VBLKCTL_H
#define VBLKCTL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vblkctl_print.h"
#include "vblkctl_util.h"
#include "vnl.h"

enum { EXIT_OK = 0, EXIT_USAGE = 1, EXIT_KERNEL = 2 };

/* Set by SIGINT/SIGTERM while a command waits (stats -w, monitor). */
extern volatile sig_atomic_t vc_stop;

/*
 * -b FILE: run each line of @path ("-": stdin) as a command. Stops at the
 * first that fails and returns its status; with @force goes on and
 * returns the highest.
 */
int vc_batch(const char *path, bool force);
/*
 * Split a batch line in place into @argv: words separated by blanks,
 * "..." and '...' quoting, a # starting a comment. Returns the number of
 * words, or -1 for an unterminated quote or more than @max words.
 */
#define VC_BATCH_WORDS 64
int vc_split(char *line, char **argv, int max);
/* -V: vblkctl's version and the kernel family's. */
int vc_version(void);
/* Run "OBJECT COMMAND [ARGS]": the exit status. */
int vc_run(int argc, char **argv);

/* "Error: ..." and "Try 'vblkctl @hint'." on stderr: EXIT_USAGE. */
int vc_usage_error(const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "Error: " and vnl_error() on stderr: EXIT_KERNEL. */
int vc_kernel_error(struct vnl *v);
/* Open the family: 0, or the exit status after printing why not. */
int vc_open(struct vnl *v);
/* @arg is a non-empty prefix of @word (command abbreviations). */
bool vc_matches(const char *arg, const char *word);
bool vc_is_help(const char *arg);
/* The number @val of keyword @key: 0, or EXIT_USAGE after the message. */
int vc_parse_num(const char *key, const char *val, uint64_t *out,
		 const char *hint);

/* The keywords a command was given, to refuse one given twice. */
#define VC_SEEN_MAX 24
struct vc_seen {
	const char *key[VC_SEEN_MAX];
	int n;
};

/* Word @a as a command's NAME: 0, or EXIT_USAGE if it has one already. */
int vc_name_arg(const char **name, const char *a, const char *hint);
/* Note @key: 0, or EXIT_USAGE ("duplicate keyword") if already given. */
int vc_once(struct vc_seen *s, const char *key, const char *hint);

/* The limits a command was given (LIMITS). */
struct vc_limits {
	uint64_t thr[VBLK_A_THROTTLE_MAX + 1];
	bool set[VBLK_A_THROTTLE_MAX + 1];	/* given */
	bool any;
	bool off;				/* "throttle off" */
	struct vc_seen seen;			/* the command's keywords */
};

/*
 * A throttle keyword at argv[*i] and its value: returns 1 if consumed
 * (*i advanced past the value), 0 if argv[*i] is not one, -1 on error.
 */
int vc_parse_limit(int argc, char **argv, int *i, struct vc_limits *l,
		   const char *hint);

void vc_usage_main(FILE *f);
void vc_usage_dev(FILE *f);
void vc_usage_stats(FILE *f);
void vc_usage_monitor(FILE *f);
void vc_usage_group(FILE *f);

int vc_cmd_dev(int argc, char **argv);
int vc_cmd_set_throttle(int argc, char **argv);
int vc_cmd_stats(int argc, char **argv);
int vc_cmd_monitor(int argc, char **argv);
int vc_cmd_group(int argc, char **argv);

#endif /* VBLKCTL_H */
