/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmarks' figures for make bench's plot (bench_plot.c reads them):
 * `#plot PANEL SERIES X Y` and `#plot-note PANEL TEXT` lines, kept and
 * printed after the tables (so that a markdown table stays whole) by the
 * process that measured them: the plot is of the run the tables show.
 */
#ifndef VMSCOPE_BENCH_PLOT_H
#define VMSCOPE_BENCH_PLOT_H

#include <stdarg.h>
#include <stdio.h>

static char plot_buf[16384];
static size_t plot_len;

/* One line, "#plot" or "#plot-note" and what follows; dropped when full. */
__attribute__((format(printf, 1, 2)))
static void plot_line(const char *fmt, ...)
{
	size_t room = sizeof(plot_buf) - plot_len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(plot_buf + plot_len, room, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n + 1 < room) {
		plot_len += n;
		plot_buf[plot_len++] = '\n';
	}
	plot_buf[plot_len] = 0;
}

static void plot_flush(void)
{
	fputs(plot_buf, stdout);
	plot_len = 0;
	plot_buf[0] = 0;
}

#endif
