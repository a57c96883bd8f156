/*
 * document_text.c - the text inside uploaded documents (see document_text.h).
 *
 * Three steps: get bytes (a tool's stdout, or the file), strip XML for the
 * office packages, then clean the text (valid UTF-8, no controls, collapsed
 * whitespace, cut at max).  Everything that parses file content is written
 * to survive hostile input: the tools are bounded in time and output, the
 * XML stripper is one forward pass with no stack and no recursion.
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "document_text.h"
#include "log.h"
#include "valid.h"

/* More slides than this are hostile: the rest are not read. */
#define SLIDES_MAX 5000

enum doc_kind { KIND_TEXT, KIND_PDF, KIND_ODF, KIND_DOCX, KIND_PPTX, KIND_XLSX };

static const struct {
	const char *type;
	enum doc_kind kind;
} doc_types[] = {
	{ "text/plain", KIND_TEXT },
	{ "text/csv", KIND_TEXT },
	{ "application/pdf", KIND_PDF },
	{ "application/vnd.oasis.opendocument.text", KIND_ODF },
	{ "application/vnd.oasis.opendocument.spreadsheet", KIND_ODF },
	{ "application/vnd.oasis.opendocument.presentation", KIND_ODF },
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml.document", KIND_DOCX },
	{ "application/vnd.openxmlformats-officedocument.presentationml.presentation", KIND_PPTX },
	{ "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", KIND_XLSX },
};

/*
 * What an XML dialect calls text.  Elements are matched by local name (the
 * part after ':'): the prefixes are whatever the document declares, and
 * writers other than Word and LibreOffice do pick other ones.
 */
struct xml_dialect {
	const char *text;		/* element whose content is text; NULL: every text node */
	const char *const *line_end;	/* elements whose end (or empty form) ends a line */
	const char *const *line_break;	/* elements that are a line break */
	const char *tab;		/* element that is a tab */
	const char *tab_defs;		/* element inside which `tab` is a tab stop, not a tab */
	const char *space;		/* element that is a space */
};

static const char *const odf_line_end[] = { "p", "h", "table-row", NULL };
static const char *const odf_line_break[] = { "line-break", NULL };
static const char *const ooxml_line_end[] = { "p", NULL };
static const char *const docx_line_break[] = { "br", "cr", NULL };
static const char *const pptx_line_break[] = { "br", NULL };
static const char *const xlsx_line_end[] = { "si", NULL };

static const struct xml_dialect xml_odf = { NULL, odf_line_end, odf_line_break, "tab", NULL, "s" };
static const struct xml_dialect xml_docx = { "t", ooxml_line_end, docx_line_break, "tab", "tabs", NULL };
/* DrawingML's <a:tab> only defines tab stops; a tab is a literal \t in <a:t>. */
static const struct xml_dialect xml_pptx = { "t", ooxml_line_end, pptx_line_break, NULL, NULL, NULL };
static const struct xml_dialect xml_xlsx = { "t", xlsx_line_end, NULL, NULL, NULL, NULL };

/* ---- cleaning ---------------------------------------------------------- */

/*
 * Appends to the empty buffer out the text s[0..n) cleaned as
 * document_text.h says, at most max bytes of it.  A character, and the
 * separator before it, go in whole or not at all, so the cut is always on
 * a character boundary and never leaves a separator at the end.
 */
static void
text_clean(const char *s, size_t n, size_t max, struct buf *out)
{
	static const char sep[] = { 0, ' ', '\t', '\n' };
	size_t i = 0, len, need;
	uint32_t cp;
	int ws = 0, kind;	/* pending separator: index in sep */
	bool bad;

	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < n) {
		bad = false;
		if ((unsigned char)s[i] < 0x80) {
			len = 1;
			cp = (unsigned char)s[i];
		} else if ((len = valid_utf8_char(s + i, n - i, &cp)) == 0) {
			len = 1;
			bad = true;
			cp = 0xFFFD;
		}
		if (cp == '\n')
			kind = 3;
		else if (cp == '\t')
			kind = 2;
		else if (cp <= ' ' || (cp >= 0x7F && cp <= 0x9F))
			kind = 1;
		else
			kind = 0;
		if (kind) {
			if (kind > ws)
				ws = kind;
			i += len;
			continue;
		}
		need = (out->len && ws ? 1 : 0) + (bad ? 3 : len);
		if (need > max - out->len)
			break;
		if (out->len && ws)
			buf_addch(out, sep[ws]);
		if (bad)
			buf_add(out, "\xEF\xBF\xBD", 3);
		else
			buf_add(out, s + i, len);
		ws = 0;
		i += len;
	}
}

/* ---- XML --------------------------------------------------------------- */

static void
utf8_put(struct buf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	buf_add(b, u, n);
}

static bool
xml_starts(const char *p, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(end - p) >= n && memcmp(p, prefix, n) == 0;
}

/* The byte after the first pat at or after p, or end if there is none. */
static const char *
xml_past(const char *p, const char *end, const char *pat)
{
	size_t n = strlen(pat);
	const char *q = memmem(p, (size_t)(end - p), pat, n);

	return q == NULL ? end : q + n;
}

static bool
xml_is(const char *name, size_t len, const char *want)
{
	return want != NULL && strlen(want) == len && memcmp(name, want, len) == 0;
}

static bool
xml_in(const char *name, size_t len, const char *const *list)
{
	for (; list != NULL && *list != NULL; list++)
		if (xml_is(name, len, *list))
			return true;
	return false;
}

static bool
xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
xml_digit(char c, int base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == 16 && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (base == 16 && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The reference at p ('&'): appends what it stands for to out (unless out
 * is NULL) and returns the byte after it.  The five predefined entities and
 * numeric references are decoded; a reference to NUL, a surrogate or past
 * U+10FFFF gives U+FFFD.  Anything else, a missing ';' included, is a
 * literal '&' and the scan goes on right after it.
 */
static const char *
xml_entity(const char *p, const char *end, struct buf *out)
{
	static const struct {
		const char *name;
		char c;
	} named[] = {
		{ "lt;", '<' }, { "gt;", '>' }, { "amp;", '&' }, { "quot;", '"' }, { "apos;", '\'' },
	};
	const char *q = p + 1;
	uint32_t cp = 0;
	int base = 10, d;
	size_t digits = 0;

	if (q < end && *q == '#') {
		q++;
		if (q < end && (*q == 'x' || *q == 'X')) {
			base = 16;
			q++;
		}
		/* Saturates past U+10FFFF, so no length of digits overflows. */
		for (; q < end && (d = xml_digit(*q, base)) != -1; q++, digits++)
			if (cp <= 0x10FFFF)
				cp = cp * (uint32_t)base + (uint32_t)d;
		if (digits > 0 && q < end && *q == ';') {
			if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
				cp = 0xFFFD;
			if (out != NULL)
				utf8_put(out, cp);
			return q + 1;
		}
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(named); i++)
			if (xml_starts(q, end, named[i].name)) {
				if (out != NULL)
					buf_addch(out, named[i].c);
				return q + strlen(named[i].name);
			}
	}
	if (out != NULL)
		buf_addch(out, '&');
	return p + 1;
}

/*
 * The tag whose name starts at p (just past "<" or "</"): stores its local
 * name in *name and *len, whether it ends in "/>" in *empty, and returns the
 * byte after its '>', skipping quoted attribute values.  NULL if the tag is
 * never closed.
 */
static const char *
xml_tag(const char *p, const char *end, const char **name, size_t *len, bool *empty)
{
	const char *local = p;
	char quote = 0;

	for (; p < end && !xml_space(*p) && *p != '/' && *p != '>'; p++)
		if (*p == ':')
			local = p + 1;
	*name = local;
	*len = (size_t)(p - local);
	for (; p < end; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '>') {
			*empty = p[-1] == '/';
			return p + 1;
		}
	}
	return NULL;
}

/* The byte after a "<!DOCTYPE ...>" whose body starts at p, internal subset included. */
static const char *
xml_decl_end(const char *p, const char *end)
{
	size_t depth = 0;
	char quote = 0;

	for (; p < end; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '[') {
			depth++;
		} else if (*p == ']' && depth > 0) {
			depth--;
		} else if (*p == '>' && depth == 0) {
			return p + 1;
		}
	}
	return end;
}

/*
 * Appends to out the text of the XML s[0..n) as dialect d sees it: text
 * nodes (inside d->text if set) with references decoded, CDATA kept as it
 * is, comments, processing instructions and declarations dropped, and the
 * dialect's structural elements turned into '\n', '\t' or ' '.
 *
 * Pure and safe on any bytes: one forward pass, no recursion or stack.
 * Malformed input degrades, it never fails: an unterminated comment or
 * CDATA section runs to the end, an unclosed tag drops the rest, a '<' that
 * starts no markup and a '&' that starts no reference are literal.  Bytes
 * are copied as they are; the caller cleans the UTF-8.
 */
static void
xml_text(const char *s, size_t n, const struct xml_dialect *d, struct buf *out)
{
	const char *p = s, *end = s + n, *q, *name;
	bool in_text = d->text == NULL, in_tab_defs = false, empty;
	size_t len;

	while (p < end) {
		if (*p == '&') {
			p = xml_entity(p, end, in_text ? out : NULL);
		} else if (*p != '<') {
			for (q = p; q < end && *q != '<' && *q != '&'; q++)
				;
			if (in_text)
				buf_add(out, p, (size_t)(q - p));
			p = q;
		} else if (xml_starts(p, end, "<!--")) {
			p = xml_past(p + 4, end, "-->");
		} else if (xml_starts(p, end, "<![CDATA[")) {
			/* Kept as it is, up to "]]>" or the end. */
			if ((q = memmem(p + 9, (size_t)(end - p - 9), "]]>", 3)) == NULL)
				q = end;
			if (in_text)
				buf_add(out, p + 9, (size_t)(q - p - 9));
			p = q == end ? end : q + 3;
		} else if (xml_starts(p, end, "<?")) {
			p = xml_past(p + 2, end, "?>");
		} else if (xml_starts(p, end, "<!")) {
			p = xml_decl_end(p + 2, end);
		} else if (xml_starts(p, end, "</")) {
			if ((q = xml_tag(p + 2, end, &name, &len, &empty)) == NULL)
				break;
			if (xml_is(name, len, d->text))
				in_text = false;
			if (xml_is(name, len, d->tab_defs))
				in_tab_defs = false;
			if (xml_in(name, len, d->line_end))
				buf_addch(out, '\n');
			p = q;
		} else if (end - p > 1 && !xml_space(p[1]) && p[1] != '<' && p[1] != '>' &&
			   p[1] != '/' && p[1] != '=' && p[1] != '&') {
			if ((q = xml_tag(p + 1, end, &name, &len, &empty)) == NULL)
				break;
			if (!empty && xml_is(name, len, d->text))
				in_text = true;
			if (!empty && xml_is(name, len, d->tab_defs))
				in_tab_defs = true;
			if (xml_in(name, len, d->line_break) || (empty && xml_in(name, len, d->line_end)))
				buf_addch(out, '\n');
			else if (xml_is(name, len, d->tab) && !in_tab_defs)
				buf_addch(out, '\t');
			else if (xml_is(name, len, d->space))
				buf_addch(out, ' ');
			p = q;
		} else {
			if (in_text)
				buf_addch(out, '<');
			p++;
		}
	}
}

/* ---- running a tool ---------------------------------------------------- */

/* Milliseconds until deadline (CLOCK_MONOTONIC), 0 once it has passed. */
static int
ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	if (ms <= 0)
		return 0;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/*
 * fd itself if above the standard descriptors, else a close-on-exec copy
 * above them (fd is closed): with 0-2 closed in the parent, a pipe could
 * land there and the child's dup2() onto 0-2 would clobber it.  -1 on error.
 */
static int
fd_high(int fd)
{
	int nfd, saved;

	if (fd > STDERR_FILENO)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	saved = errno;
	close(fd);
	errno = saved;
	return nfd;
}

/*
 * The child between fork() and exec: only async-signal-safe calls, since
 * the parent may have other threads.  Undoes what the portal set and exec
 * would keep (blocked signals, SIGPIPE ignored), closes every descriptor
 * but the three standard ones and errfd (close-on-exec), and writes errno
 * to errfd if execvp() fails.
 */
static PORTAL_NORETURN void
tool_exec(char *const argv[], int devnull, int outfd, int errfd)
{
	struct sigaction dfl;
	sigset_t none;
	int e;

	if (dup2(devnull, STDIN_FILENO) == -1 || dup2(outfd, STDOUT_FILENO) == -1 ||
	    dup2(devnull, STDERR_FILENO) == -1)
		goto fail;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);	/* fails harmlessly for KILL, STOP, RT */
	/* Descriptors some library opened without O_CLOEXEC must not leak into
	 * the tool; on kernels without close_range() they still close at exec
	 * if the portal opened them with O_CLOEXEC, as it does. */
	if (errfd > STDERR_FILENO + 1)
		close_range(STDERR_FILENO + 1, (unsigned)errfd - 1, 0);
	close_range((unsigned)errfd + 1, ~0U, 0);
	execvp(argv[0], argv);
fail:
	e = errno;
	if (write(errfd, &e, sizeof(e)) == -1)
		_exit(127);
	_exit(127);
}

/* Reaps pid, waiting without bound (it has been killed or has exited). */
static void
tool_reap(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) == -1 && errno == EINTR)
		;
}

/*
 * Waits for pid to exit until deadline; 0 and *status once it has, -1 when
 * the deadline passes first (pid not reaped), -2 on a waitpid() error (pid
 * gone: there is nothing left to reap).
 */
static int
tool_wait(pid_t pid, const struct timespec *deadline, int *status)
{
	struct timespec nap = { 0, 1000000 };
	pid_t r;

	for (;;) {
		if ((r = waitpid(pid, status, WNOHANG)) == pid)
			return 0;
		if (r == -1 && errno != EINTR)
			return -2;
		if (ms_left(deadline) == 0)
			return -1;
		/* Usually the tool exits right after closing its stdout: the
		 * first naps are short, later ones up to 50 ms. */
		nanosleep(&nap, NULL);
		if (nap.tv_nsec < 50000000)
			nap.tv_nsec *= 2;
	}
}

/*
 * Runs argv (argv[0] looked up in PATH, no shell) with stdin and stderr on
 * /dev/null, and appends its stdout to out until it exits.  out's cap bounds
 * the output and deadline (CLOCK_MONOTONIC) the time: past either the child
 * is killed.  Returns the exit status (0-255), or -1 (logged) if the tool
 * could not be started, timed out, wrote past the cap, or died of a signal.
 * The child is always reaped and every descriptor closed; out keeps what
 * was read either way.
 */
static int
tool_run(char *const argv[], const struct timespec *deadline, struct buf *out)
{
	int devnull = -1, pfd[2] = { -1, -1 }, efd[2] = { -1, -1 };
	int rc = -1, status = 0, err = 0, w;
	pid_t pid = -1;
	bool reaped = false;
	char chunk[16384];
	ssize_t n;

	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1 ||
	    pipe2(pfd, O_CLOEXEC) == -1 || pipe2(efd, O_CLOEXEC) == -1) {
		log_warn("document text: cannot set up %s", argv[0]);
		goto out;
	}
	if ((devnull = fd_high(devnull)) == -1 || (pfd[0] = fd_high(pfd[0])) == -1 ||
	    (pfd[1] = fd_high(pfd[1])) == -1 || (efd[0] = fd_high(efd[0])) == -1 ||
	    (efd[1] = fd_high(efd[1])) == -1) {
		log_warn("document text: cannot set up %s", argv[0]);
		goto out;
	}
	if ((pid = fork()) == -1) {
		log_warn("document text: cannot start %s", argv[0]);
		goto out;
	}
	if (pid == 0)
		tool_exec(argv, devnull, pfd[1], efd[1]);
	close(pfd[1]);
	close(efd[1]);
	close(devnull);
	pfd[1] = efd[1] = devnull = -1;

	/* Empty at exec (close-on-exec), errno if execvp() failed. */
	while ((n = read(efd[0], &err, sizeof(err))) == -1 && errno == EINTR)
		;
	if (n != 0) {
		errno = n == (ssize_t)sizeof(err) ? err : EIO;
		log_warn("document text: cannot run %s", argv[0]);
		goto out;
	}

	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int ms = ms_left(deadline);

		/* Checked before each poll: a tool that writes without pause
		 * would otherwise never let poll() time out. */
		if (ms == 0) {
			log_warnx("document text: %s timed out", argv[0]);
			goto out;
		}
		if ((w = poll(&p, 1, ms)) == -1 && errno != EINTR) {
			log_warn("document text: poll on %s", argv[0]);
			goto out;
		}
		if (w <= 0)
			continue;
		if ((n = read(pfd[0], chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("document text: reading from %s", argv[0]);
			goto out;
		}
		if (n == 0)
			break;
		buf_add(out, chunk, (size_t)n);
		if (out->err) {
			log_warnx("document text: %s wrote more than %zu bytes", argv[0], out->max);
			goto out;
		}
	}

	/* EOF on the pipe: the tool is exiting, or closed stdout and hangs. */
	w = tool_wait(pid, deadline, &status);
	if (w == -1) {
		log_warnx("document text: %s timed out", argv[0]);
		goto out;
	}
	reaped = true;
	if (w == -2) {
		log_warn("document text: waiting for %s", argv[0]);
		goto out;
	}
	if (WIFSIGNALED(status)) {
		log_warnx("document text: %s killed by signal %d", argv[0], WTERMSIG(status));
		goto out;
	}
	rc = WEXITSTATUS(status);
out:
	if (pid > 0 && !reaped) {
		kill(pid, SIGKILL);
		tool_reap(pid, &status);
	}
	if (devnull != -1)
		close(devnull);
	for (int i = 0; i < 2; i++) {
		if (pfd[i] != -1)
			close(pfd[i]);
		if (efd[i] != -1)
			close(efd[i]);
	}
	return rc;
}

/* ---- the formats ------------------------------------------------------- */

/*
 * Appends the member of the zip at path to out with unzip -p.  member is
 * taken by unzip as a pattern: callers pass names without * ? [ ].  A
 * missing member (unzip's 11) appends nothing and is no error; unzip's 1
 * is a warning after which it did its work.  0, or -1 (logged).
 */
static int
zip_member(char *path, char *member, const struct timespec *deadline, struct buf *out)
{
	char *argv[] = { "unzip", "-p", path, member, NULL };
	int rc = tool_run(argv, deadline, out);

	if (rc == 0 || rc == 1 || rc == 11)
		return 0;
	if (rc != -1)
		log_warnx("document text: unzip -p \"%s\" %s exited with %d", path, member, rc);
	return -1;
}

struct slide {
	unsigned long n;
	char *name;
};

static int
slide_cmp(const void *a, const void *b)
{
	const struct slide *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The number of a ppt/slides/slideN.xml name, or 0 if it is not one. */
static unsigned long
slide_number(const char *name)
{
	static const char pre[] = "ppt/slides/slide";
	const char *p;
	unsigned long n = 0;

	if (strncmp(name, pre, sizeof(pre) - 1) != 0)
		return 0;
	for (p = name + sizeof(pre) - 1; *p >= '0' && *p <= '9' && p - name < 25; p++)
		n = n * 10 + (unsigned long)(*p - '0');
	return p > name + sizeof(pre) - 1 && strcmp(p, ".xml") == 0 ? n : 0;
}

/*
 * Appends to text the text of every slide of the pptx at path, in the
 * order of the numbers in their names, a line apart.  unzip -p writes
 * members in archive order, which need not be slide order (slide10 may
 * come before slide2): the names are listed with unzip -Z1, sorted, and
 * each slide is read on its own.  0, or -1 (logged).
 */
static int
pptx_text(char *path, const struct timespec *deadline, struct buf *text)
{
	char *argv[] = { "unzip", "-Z1", path, NULL };
	struct slide *slides = NULL;
	struct buf list, xml;
	size_t count = 0;
	char *line, *next;
	int rc = -1, st;

	buf_init(&list, DOCUMENT_TEXT_TOOL_MAX);
	buf_init(&xml, DOCUMENT_TEXT_TOOL_MAX);
	if ((st = tool_run(argv, deadline, &list)) != 0 && st != 1) {
		if (st != -1)
			log_warnx("document text: unzip -Z1 \"%s\" exited with %d", path, st);
		goto out;
	}
	if ((slides = calloc(SLIDES_MAX, sizeof(*slides))) == NULL)
		log_oom(SLIDES_MAX * sizeof(*slides));
	for (line = list.data; *line != '\0' && count < SLIDES_MAX; line = next) {
		if ((next = strchr(line, '\n')) == NULL)
			next = line + strlen(line);
		else
			*next++ = '\0';
		if ((slides[count].n = slide_number(line)) != 0)
			slides[count++].name = line;
	}
	qsort(slides, count, sizeof(*slides), slide_cmp);
	for (size_t i = 0; i < count; i++) {
		if (i > 0 && strcmp(slides[i].name, slides[i - 1].name) == 0)
			continue;	/* a name twice in the archive: unzip gave both */
		buf_reset(&xml);
		if (zip_member(path, slides[i].name, deadline, &xml) == -1)
			goto out;
		xml_text(xml.data, xml.len, &xml_pptx, text);
		buf_addch(text, '\n');
	}
	rc = 0;
out:
	free(slides);
	buf_release(&list);
	buf_release(&xml);
	return rc;
}

/*
 * Appends the first out->max bytes of the regular file at path to out, or
 * only checks that it is one (read false).  0, or -1 (logged).
 */
static int
file_read(const char *path, bool read_it, struct buf *out)
{
	struct stat sb;
	char chunk[16384];
	ssize_t n;
	int fd, rc = -1;

	/* O_NONBLOCK: a FIFO put in place of the file must not hang us. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1) {
		log_warn("document text: \"%s\"", path);
		return -1;
	}
	if (fstat(fd, &sb) == -1) {
		log_warn("document text: \"%s\"", path);
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		log_warnx("document text: \"%s\" is not a regular file", path);
		goto out;
	}
	while (read_it && out->len < out->max) {
		size_t want = out->max - out->len;

		n = read(fd, chunk, want < sizeof(chunk) ? want : sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warn("document text: reading \"%s\"", path);
			goto out;
		}
		if (n == 0)
			break;
		buf_add(out, chunk, (size_t)n);
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

static int
doc_kind(const char *type)
{
	size_t len = strcspn(type, ";");

	while (len > 0 && (type[len - 1] == ' ' || type[len - 1] == '\t'))
		len--;
	for (size_t i = 0; i < ARRAY_SIZE(doc_types); i++)
		if (strlen(doc_types[i].type) == len && strncasecmp(type, doc_types[i].type, len) == 0)
			return (int)doc_types[i].kind;
	return -1;
}

char *
document_text_extract(const char *path, const char *type, size_t max, int timeout_s)
{
	struct timespec deadline;
	struct buf raw, text, res;
	const struct buf *src = &raw;
	char *arg = NULL, *ret = NULL;
	int kind, rc;

	buf_init(&raw, DOCUMENT_TEXT_TOOL_MAX);
	buf_init(&text, DOCUMENT_TEXT_TOOL_MAX);
	buf_init(&res, max ? max : 1);
	if ((kind = doc_kind(type)) == -1) {
		log_warnx("document text: \"%s\": unknown type \"%s\"", path, type);
		goto out;
	}
	if (timeout_s <= 0) {
		log_warnx("document text: \"%s\": timeout %d", path, timeout_s);
		goto out;
	}
	if (file_read(path, kind == KIND_TEXT, &raw) == -1)
		goto out;
	/* The tools would take "-..." for an option, pdftotext "-" for stdin,
	 * and unzip sees a pattern in * ? [ (and would try PATH.zip). */
	if (kind != KIND_TEXT && kind != KIND_PDF && strpbrk(path, "*?[]\\") != NULL) {
		log_warnx("document text: \"%s\": unzip would read the name as a pattern", path);
		goto out;
	}
	if (asprintf(&arg, "%s%s", path[0] == '-' ? "./" : "", path) == -1)
		log_oom(strlen(path) + 3);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_s;

	switch (kind) {
	case KIND_TEXT:
		break;
	case KIND_PDF: {
		char *argv[] = { "pdftotext", "-enc", "UTF-8", "-nopgbrk", "-q", arg, "-", NULL };

		if ((rc = tool_run(argv, &deadline, &raw)) != 0) {
			if (rc != -1)
				log_warnx("document text: pdftotext \"%s\" exited with %d", path, rc);
			goto out;
		}
		break;
	}
	case KIND_ODF:
	case KIND_DOCX:
	case KIND_XLSX: {
		const struct xml_dialect *d = kind == KIND_ODF ? &xml_odf :
					      kind == KIND_DOCX ? &xml_docx : &xml_xlsx;
		char *member = kind == KIND_ODF ? "content.xml" :
			       kind == KIND_DOCX ? "word/document.xml" : "xl/sharedStrings.xml";

		if (zip_member(arg, member, &deadline, &raw) == -1)
			goto out;
		xml_text(raw.data, raw.len, d, &text);
		src = &text;
		break;
	}
	case KIND_PPTX:
		if (pptx_text(arg, &deadline, &text) == -1)
			goto out;
		src = &text;
		break;
	}
	/* Stripped XML is no longer than the XML, except for pptx's many parts. */
	if (src->err) {
		log_warnx("document text: \"%s\" has more than %zu bytes of text", path, src->max);
		goto out;
	}
	if (max > 0)
		text_clean(src->data, src->len, max, &res);
	ret = buf_detach(&res, NULL);
out:
	free(arg);
	buf_release(&raw);
	buf_release(&text);
	buf_release(&res);
	return ret;
}

int
document_text_preview(const char *path, const char *type, int max_px, int timeout_s,
		      char **png, size_t *len)
{
	static const char png_magic[8] = { '\x89', 'P', 'N', 'G', '\r', '\n', '\x1a', '\n' };
	struct timespec deadline;
	char size[16], *arg = NULL;
	struct buf out;
	int kind = doc_kind(type), rc = -1;

	*png = NULL;
	*len = 0;
	if (kind != KIND_PDF && kind != KIND_ODF)
		return 1;
	/* See document_text_extract(): no option-like names, no unzip patterns. */
	if (kind == KIND_ODF && strpbrk(path, "*?[]\\") != NULL) {
		log_warnx("document preview: \"%s\": unzip would read the name as a pattern", path);
		return -1;
	}
	if (asprintf(&arg, "%s%s", path[0] == '-' ? "./" : "", path) == -1)
		log_oom(strlen(path) + 3);
	buf_init(&out, DOCUMENT_TEXT_TOOL_MAX);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_s;
	snprintf(size, sizeof(size), "%d", max_px);
	if (kind == KIND_PDF) {
		/* Without an output root pdftoppm writes the one page to stdout. */
		char *argv[] = { "pdftoppm", "-png", "-singlefile", "-f", "1", "-l", "1",
				 "-scale-to", size, arg, NULL };
		if (tool_run(argv, &deadline, &out) != 0)
			goto out;
	} else if (zip_member(arg, "Thumbnails/thumbnail.png", &deadline, &out) == -1) {
		goto out;
	}
	if (out.len == 0) {
		rc = 1;		/* an OpenDocument file saved without a thumbnail */
		goto out;
	}
	if (out.err || out.len < sizeof(png_magic) || memcmp(out.data, png_magic, sizeof(png_magic)) != 0) {
		log_warnx("document preview: \"%s\": the tool gave no PNG", path);
		goto out;
	}
	*len = out.len;
	*png = buf_detach(&out, len);
	rc = 0;
out:
	buf_release(&out);
	free(arg);
	return rc;
}
