// SPDX-License-Identifier: GPL-2.0
/*
 * bench_plot: the plots of one `make bench` run, drawn from its captured
 * output (no tool beyond a C compiler):
 *   listing.svg  cost per VMA against the number of VMAs (bench_maps)
 *   range.svg    cost per 4K page against the range size (bench_mem)
 * both axes logarithmic, one line per way of doing the job and per
 * kernel (host solid, guest dashed).  The benchmarks print their figures
 * beside their tables as
 *   #plot PANEL SERIES X Y        a point
 *   #plot-note PANEL TEXT         why a series has no points
 *   #plot-kernel RELEASE          uname -r of the kernel measured
 * and the section headers of scripts/bench.sh ("## Host kernel ...",
 * "## Guest kernel ...") say which kernel the lines that follow are from.
 * Nothing is invented: a kernel with no points in a panel is named in
 * its legend as such.  Usage: bench_plot OUTPUT_FILE DIR
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#define MAX_ENVS 8
#define MAX_SERIES 4
#define MAX_POINTS 32
#define MAX_NOTES 8

struct series {
	int n;
	double x[MAX_POINTS], y[MAX_POINTS];
};

struct env {
	char name[64];		/* "host", "guest 6.12" */
	char kernel[96];	/* uname -r, when the run printed it */
	struct series s[2][MAX_SERIES];
	char note[2][MAX_NOTES][160];
	int nnotes[2];
};

struct panel {
	const char *file, *title, *xlabel, *ylabel;
	const char *key[MAX_SERIES];	/* the SERIES word of #plot lines */
	const char *label[MAX_SERIES];	/* its legend text */
	int bytes;			/* x is a size in bytes */
};

static const struct panel panels[2] = {
	{ "listing.svg", "Listing a process's mappings: cost per VMA", "VMAs in the target",
	  "ns per VMA",
	  { "vmscope", "maps", "procmap_query" },
	  { "vmscope maps (VMA tree walk; 6.1: task_vma iterator)", "read + parse /proc/PID/maps",
	    "PROCMAP_QUERY, every VMA" }, 0 },
	{ "range.svg", "Page state of a range: cost per 4 KiB page", "range size",
	  "ns per page",
	  { "vmscope", "pagemap", "pagemap_scan" },
	  { "vmscope range walk (module)", "/proc/PID/pagemap pread", "PAGEMAP_SCAN ioctl (6.7+)" },
	  1 },
};

static const char *colors[MAX_SERIES] = { "#c0392b", "#2471a3", "#1e8449", "#7d3c98" };
static const char *dashes[MAX_ENVS] = { "", "7,4", "2,3", "10,3,2,3", "", "7,4", "2,3", "" };

static struct env envs[MAX_ENVS];
static int nenvs;

static int panel_of(const char *w)
{
	return !strcmp(w, "listing") ? 0 : !strcmp(w, "range") ? 1 : -1;
}

/* "## Host kernel 6.18.44 (no module)" -> "host"; "## Guest kernel 6.12 (TCG)" -> "guest 6.12" */
static void new_env(const char *h)
{
	struct env *e;
	char word[32] = "";

	if (nenvs == MAX_ENVS)
		return;
	e = &envs[nenvs++];
	if (!strncmp(h, "Host kernel ", 12)) {
		sscanf(h + 12, "%31s", word);
		snprintf(e->name, sizeof(e->name), "host");
		snprintf(e->kernel, sizeof(e->kernel), "%s", word);
	} else if (!strncmp(h, "Guest kernel ", 13)) {
		sscanf(h + 13, "%31s", word);
		snprintf(e->name, sizeof(e->name), "guest %s", word);
		snprintf(e->kernel, sizeof(e->kernel), "%s", word);
	} else {
		snprintf(e->name, sizeof(e->name), "%.63s", h);
	}
}

static struct env *cur_env(void)
{
	if (!nenvs)
		new_env("this machine");
	return &envs[nenvs - 1];
}

static void parse_line(char *l)
{
	char pw[16], sw[32];
	double x, y;
	int p, k, off = 0;

	l[strcspn(l, "\r\n")] = 0;
	if (!strncmp(l, "## ", 3)) {
		new_env(l + 3);
	} else if (!strncmp(l, "#plot-kernel ", 13)) {
		snprintf(cur_env()->kernel, sizeof(cur_env()->kernel), "%.95s", l + 13);
	} else if (!strncmp(l, "#plot-note ", 11)) {
		struct env *e = cur_env();

		if (sscanf(l + 11, "%15s %n", pw, &off) < 1 || (p = panel_of(pw)) < 0 || !off)
			return;
		if (e->nnotes[p] < MAX_NOTES)
			snprintf(e->note[p][e->nnotes[p]++], 160, "%.159s", l + 11 + off);
	} else if (!strncmp(l, "#plot ", 6)) {
		struct series *s;

		if (sscanf(l + 6, "%15s %31s %lf %lf", pw, sw, &x, &y) != 4 ||
		    (p = panel_of(pw)) < 0 || x <= 0 || y <= 0)
			return;
		for (k = 0; k < MAX_SERIES && panels[p].key[k]; k++)
			if (!strcmp(panels[p].key[k], sw))
				break;
		if (k == MAX_SERIES || !panels[p].key[k])
			return;
		s = &cur_env()->s[p][k];
		if (s->n < MAX_POINTS) {
			s->x[s->n] = x;
			s->y[s->n++] = y;
		}
	}
}

/* Text for SVG: & < > escaped. */
static void put_text(FILE *f, const char *s)
{
	for (; *s; s++)
		if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else
			fputc(*s, f);
}

static void size_label(char *b, size_t n, double v, int bytes)
{
	static const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	if (!bytes) {
		if (v >= 1000)
			snprintf(b, n, "%.0f,%03.0f", floor(v / 1000), fmod(v, 1000));
		else
			snprintf(b, n, "%g", v);
		return;
	}
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(b, n, "%g %s", v, unit[u]);
}

/* Plot area and scales. */
#define W 1040
#define H 600
#define PL 90
#define PR 640
#define PT 84
#define PB 520

static double lx0, lx1, ly0, ly1;	/* log10 bounds */

static double sx(double x)
{
	return PL + (log10(x) - lx0) / (lx1 - lx0) * (PR - PL);
}

static double sy(double y)
{
	return PB - (log10(y) - ly0) / (ly1 - ly0) * (PB - PT);
}

/* Legend text, wrapped at about width characters; returns the lines used. */
static int put_wrapped(FILE *f, double x, double y, const char *s, int width, const char *style)
{
	int lines = 0;

	while (*s) {
		int n = (int)strlen(s), cut = n;

		if (n > width) {
			for (cut = width; cut > 0 && s[cut] != ' '; cut--)
				;
			if (!cut)
				cut = width;
		}
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" %s>", x, y + lines * 15.0, style);
		for (int i = 0; i < cut; i++) {
			char c[2] = { s[i], 0 };

			put_text(f, c);
		}
		fputs("</text>\n", f);
		lines++;
		s += cut;
		while (*s == ' ')
			s++;
	}
	return lines;
}

static int draw(const struct panel *pn, int p, const char *dir, const char *date)
{
	double xmin = 1e300, xmax = 0, ymin = 1e300, ymax = 0, v, ly;
	char path[4096], sub[512] = "", b[64];
	int e, k, i, any = 0, off = 0;
	FILE *f;

	for (e = 0; e < nenvs; e++)
		for (k = 0; k < MAX_SERIES; k++)
			for (i = 0; i < envs[e].s[p][k].n; i++) {
				const struct series *s = &envs[e].s[p][k];

				xmin = fmin(xmin, s->x[i]);
				xmax = fmax(xmax, s->x[i]);
				ymin = fmin(ymin, s->y[i]);
				ymax = fmax(ymax, s->y[i]);
				any = 1;
			}
	if (!any) {
		xmin = pn->bytes ? 65536 : 100;
		xmax = pn->bytes ? 1 << 30 : 60000;
		ymin = 1;
		ymax = 1000;
	}
	if (pn->bytes) {		/* a power of 2 either side */
		lx0 = log10(xmin / 2);
		lx1 = log10(xmax * 2);
	} else {
		lx0 = floor(log10(xmin) - 0.05);
		lx1 = ceil(log10(xmax) + 0.05);
	}
	ly0 = floor(log10(ymin));
	ly1 = ceil(log10(ymax));
	if (ly1 - ly0 < 1)
		ly1 = ly0 + 1;
	snprintf(path, sizeof(path), "%s/%s", dir, pn->file);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return -1;
	}
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Arial, sans-serif\" "
		"font-size=\"13\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
		W, H, W, H);
	for (e = 0; e < nenvs && off < (int)sizeof(sub); e++) {
		int guest = !strncmp(envs[e].name, "guest", 5);

		off += snprintf(sub + off, sizeof(sub) - off, "%s%s %s%s", e ? "; " : "",
				guest ? "guest" : envs[e].name, envs[e].kernel,
				guest ? " (QEMU TCG)" : "");
	}
	fprintf(f, "<text x=\"%d\" y=\"30\" font-size=\"18\" font-weight=\"bold\">", PL);
	put_text(f, pn->title);
	fprintf(f, "</text>\n<text x=\"%d\" y=\"52\" fill=\"#444\">", PL);
	snprintf(b, sizeof(b), "; make bench %s", date);
	put_text(f, sub);
	put_text(f, b);
	fputs("</text>\n", f);

	/* Grid: decades (and for sizes, powers of 4) labelled, 2..9 light. */
	for (v = pow(10, lx0); v <= pow(10, lx1) * 1.0001; v *= 10)
		for (i = 1; i < 10; i++) {
			double x = v * i;

			if (x > pow(10, lx1) * 1.0001)
				break;
			if (pn->bytes)
				continue;
			fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>\n",
				sx(x), PT, sx(x), PB, i == 1 ? "#bbb" : "#eee");
			if (i == 1) {
				size_label(b, sizeof(b), x, 0);
				fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
					sx(x), PB + 18, b);
			}
		}
	if (pn->bytes)
		for (v = 1024; v <= pow(10, lx1) * 1.0001; v *= 2) {
			int major = ((int)log2(v) % 2) == 0;

			if (v < pow(10, lx0) * 0.9999)
				continue;
			fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>\n",
				sx(v), PT, sx(v), PB, major ? "#bbb" : "#eee");
			if (major) {
				size_label(b, sizeof(b), v, 1);
				fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
					sx(v), PB + 18, b);
			}
		}
	for (v = pow(10, ly0); v <= pow(10, ly1) * 1.0001; v *= 10)
		for (i = 1; i < 10; i++) {
			double y = v * i;

			if (y > pow(10, ly1) * 1.0001)
				break;
			fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>\n",
				PL, sy(y), PR, sy(y), i == 1 ? "#bbb" : "#eee");
			if (i == 1 || (ly1 - ly0 <= 2 && (i == 2 || i == 5))) {
				size_label(b, sizeof(b), y, 0);
				fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
					PL - 6, sy(y) + 4, b);
			}
		}
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
		"stroke=\"#333\"/>\n", PL, PT, PR - PL, PB - PT);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", (PL + PR) / 2, PB + 44);
	put_text(f, pn->xlabel);
	fputs(" (log scale)</text>\n", f);
	fprintf(f, "<text transform=\"translate(%d,%d) rotate(-90)\" text-anchor=\"middle\">",
		24, (PT + PB) / 2);
	put_text(f, pn->ylabel);
	fputs(" (log scale; lower is better)</text>\n", f);

	/* The series, then the legend beside the plot. */
	ly = PT + 4;
	for (e = 0; e < nenvs; e++) {
		int shown = 0;

		fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-weight=\"bold\">", PR + 20, ly + 6);
		put_text(f, envs[e].name);
		fprintf(f, "%s</text>\n", !strncmp(envs[e].name, "guest", 5) ?
			" (emulated: compare ratios)" : "");
		ly += 22;
		for (k = 0; k < MAX_SERIES && pn->key[k]; k++) {
			const struct series *s = &envs[e].s[p][k];

			if (!s->n)
				continue;
			shown++;
			fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
				"stroke-dasharray=\"%s\" points=\"", colors[k], dashes[e]);
			for (i = 0; i < s->n; i++)
				fprintf(f, "%.1f,%.1f ", sx(s->x[i]), sy(s->y[i]));
			fputs("\"/>\n", f);
			for (i = 0; i < s->n; i++)
				fprintf(f, e % 2 ? "<rect x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\" "
					"fill=\"%s\"/>\n" : "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n",
					sx(s->x[i]) - (e % 2 ? 3.5 : 0), sy(s->y[i]) - (e % 2 ? 3.5 : 0),
					colors[k]);
			fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" "
				"stroke-width=\"2\" stroke-dasharray=\"%s\"/>\n",
				PR + 20, ly - 4, PR + 52, ly - 4, colors[k], dashes[e]);
			fprintf(f, "<text x=\"%d\" y=\"%.1f\">", PR + 58, ly);
			put_text(f, pn->label[k]);
			fputs("</text>\n", f);
			ly += 18;
		}
		for (i = 0; i < envs[e].nnotes[p]; i++)
			ly += 15 * put_wrapped(f, PR + 20, ly, envs[e].note[p][i], 50,
					       "fill=\"#a04000\" font-style=\"italic\"") + 3;
		if (!shown && !envs[e].nnotes[p])
			ly += 15 * put_wrapped(f, PR + 20, ly, "no points in this run", 50,
					       "fill=\"#a04000\" font-style=\"italic\"") + 3;
		ly += 10;
	}
	fputs("</svg>\n", f);
	if (fclose(f)) {
		perror(path);
		return -1;
	}
	printf("bench_plot: wrote %s\n", path);
	return 0;
}

int main(int argc, char **argv)
{
	char line[4096], date[32];
	time_t t = time(NULL);
	struct stat st;
	int points = 0, e, k, p, rc = 0;
	FILE *in;

	if (argc != 3) {
		fprintf(stderr, "usage: bench_plot OUTPUT_FILE DIR\n");
		return 2;
	}
	in = strcmp(argv[1], "-") ? fopen(argv[1], "r") : stdin;
	if (!in) {
		perror(argv[1]);
		return 1;
	}
	/* The run's time is its output's: a plot redrawn later says when the
	 * numbers were measured, not when it was drawn. */
	if (in != stdin && !fstat(fileno(in), &st))
		t = st.st_mtime;
	while (fgets(line, sizeof(line), in))
		parse_line(line);
	if (in != stdin)
		fclose(in);
	for (e = 0; e < nenvs; e++)
		for (p = 0; p < 2; p++)
			for (k = 0; k < MAX_SERIES; k++)
				points += envs[e].s[p][k].n;
	if (!points) {
		fprintf(stderr, "bench_plot: no #plot lines in %s: nothing to draw\n", argv[1]);
		return 1;
	}
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&t));
	for (p = 0; p < 2; p++)
		if (draw(&panels[p], p, argv[2], date))
			rc = 1;
	return rc;
}
