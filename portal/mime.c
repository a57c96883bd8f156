/*
 * mime.c - composing outgoing mail (see mime.h).
 *
 * Everything is validated before the first byte is written, so a refused
 * message leaves no half-written headers behind, and the writers below
 * can assume well-formed input.
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "buf.h"
#include "mime.h"
#include "valid.h"

#define MIME_LINE_MAX	78	/* RFC 5322 2.1.1: SHOULD for header lines */
#define MIME_QP_MAX	76	/* RFC 2045 6.7 (5) */
#define MIME_EW_MAX	75	/* RFC 2047 2: one encoded word */
#define MIME_HDR_HARD	998	/* RFC 5322 2.1.1: MUST */

static const char mime_hex[] = "0123456789ABCDEF";

/* Bytes of the character at s: its UTF-8 length, or 1 for a stray byte. */
static size_t
mime_char_len(const unsigned char *s, size_t n)
{
	size_t k = valid_utf8_char((const char *)s, n, NULL);

	return k ? k : 1;
}

static bool
mime_utf8_valid(const char *s)
{
	size_t n = strlen(s), i, k;

	for (i = 0; i < n; i += k)
		if ((k = valid_utf8_char(s + i, n - i, NULL)) == 0)
			return false;
	return true;
}

static void
mime_add_hex(struct buf *out, unsigned char c)
{
	char t[3] = { '=', mime_hex[c >> 4], mime_hex[c & 0xf] };

	buf_add(out, t, 3);
}

/*
 * Quoted-printable.
 */

/* True if a line break starts at s[i] ("\n" or "\r\n"), or s ends there. */
static bool
mime_qp_eol(const char *s, size_t len, size_t i)
{
	return i >= len || s[i] == '\n' || (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n');
}

void
mime_qp_encode(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, col = 0, n, toklen, k;
	bool literal;

	while (i < len) {
		unsigned char c = p[i];

		if (c == '\n') {
			buf_add(out, "\r\n", 2);
			col = 0;
			i++;
			continue;
		}
		if (c == '\r' && i + 1 < len && p[i + 1] == '\n') {
			i++;	/* CRLF is a line break like LF */
			continue;
		}
		n = 1;
		if (c == ' ' || c == '\t')
			/* Whitespace before a line end would be stripped in transit. */
			literal = !mime_qp_eol(s, len, i + 1);
		else if (c >= 0x80) {
			/* A valid character is one token, so a soft break never
			 * splits it and the source stays readable. */
			n = mime_char_len(p + i, len - i);
			literal = false;
		} else
			literal = c > ' ' && c < 0x7f && c != '=';
		toklen = literal ? 1 : 3 * n;
		/* The last token of a line may take column 76; any other
		 * leaves room for the soft break's '='. */
		if (col + toklen > (mime_qp_eol(s, len, i + n) ? MIME_QP_MAX : MIME_QP_MAX - 1)) {
			buf_add(out, "=\r\n", 3);
			col = 0;
		}
		if (literal)
			buf_addch(out, (char)c);
		else
			for (k = 0; k < n; k++)
				mime_add_hex(out, p[i + k]);
		col += toklen;
		i += n;
	}
}

/*
 * Header values.
 */

/* RFC 5322 atext. */
static bool
mime_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Characters an encoded word in Q may carry as themselves in any header,
 * phrases included (RFC 2047 5 (3)); '_' stands for the space. */
static bool
mime_q_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

static size_t
mime_q_cost(const unsigned char *s, size_t n)
{
	size_t i, cost = 0;

	for (i = 0; i < n; i++)
		cost += mime_q_plain(s[i]) || s[i] == ' ' ? 1 : 3;
	return cost;
}

/* Encoded size of n bytes in base64. */
static size_t
mime_b_cost(size_t n)
{
	return (n + 2) / 3 * 4;
}

static void
mime_b_encode(struct buf *out, const unsigned char *s, size_t n)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char t[4];
	uint32_t v;
	size_t i;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		t[0] = b64[v >> 18];
		t[1] = b64[(v >> 12) & 0x3f];
		t[2] = i + 1 < n ? b64[(v >> 6) & 0x3f] : '=';
		t[3] = i + 2 < n ? b64[v & 0x3f] : '=';
		buf_add(out, t, 4);
	}
}

/*
 * Writes s as encoded words, each holding whole characters and filling
 * its line: the first continues the current line (column col), the
 * others start folded lines.  Returns the final column.
 */
static size_t
mime_encoded_words(struct buf *out, const char *s, size_t len, size_t col)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, j, n, room, payload;
	bool q;

	/* Q keeps mostly-Latin text readable; B is shorter for the rest. */
	q = mime_q_cost(p, len) <= mime_b_cost(len);
	while (i < len) {
		/* Room for the payload, between "=?UTF-8?Q?" and "?=". */
		room = col < MIME_LINE_MAX ? MIME_LINE_MAX - col : 0;
		if (room > MIME_EW_MAX)
			room = MIME_EW_MAX;
		room = room > 12 ? room - 12 : 0;
		n = mime_char_len(p + i, len - i);
		if ((q ? mime_q_cost(p + i, n) : mime_b_cost(n)) > room) {
			/* Not even one character fits after the field name. */
			buf_add(out, "\r\n ", 3);
			col = 1;
			continue;
		}
		for (j = i, payload = 0; j < len; j += n) {
			n = mime_char_len(p + j, len - j);
			if (q && payload + mime_q_cost(p + j, n) > room)
				break;
			if (!q && mime_b_cost(j + n - i) > room)
				break;
			if (q)
				payload += mime_q_cost(p + j, n);
		}
		buf_adds(out, q ? "=?UTF-8?Q?" : "=?UTF-8?B?");
		if (q) {
			for (; i < j; i++) {
				if (mime_q_plain(p[i]))
					buf_addch(out, (char)p[i]);
				else if (p[i] == ' ')
					buf_addch(out, '_');
				else
					mime_add_hex(out, p[i]);
			}
		} else {
			payload = mime_b_cost(j - i);
			mime_b_encode(out, p + i, j - i);
			i = j;
		}
		buf_add(out, "?=", 2);
		col += 12 + payload;
		if (i < len) {
			buf_add(out, "\r\n ", 3);
			col = 1;
		}
	}
	return col;
}

/*
 * End of the fold segment starting at i: segments break before a space
 * that is followed by a non-space, so that a folded line never holds
 * only whitespace (RFC 5322 3.2.2).
 */
static size_t
mime_seg_end(const char *s, size_t len, size_t i)
{
	size_t j;

	for (j = i + 1; j < len; j++)
		if (s[j] == ' ' && j + 1 < len && s[j + 1] != ' ')
			break;
	return j;
}

/* Writes printable ASCII, folding before spaces; returns the final column. */
static size_t
mime_fold_ascii(struct buf *out, const char *s, size_t len, size_t col)
{
	size_t i, j;

	for (i = 0; i < len; i = j) {
		j = mime_seg_end(s, len, i);
		if (i > 0 && col + (j - i) > MIME_LINE_MAX) {
			buf_add(out, "\r\n", 2);	/* s[i] is the space that folds */
			col = 0;
		}
		buf_add(out, s + i, j - i);
		col += j - i;
	}
	return col;
}

/*
 * True if s can be written as is: printable ASCII (or atext and spaces
 * for a phrase), no "=?" that a reader would take for an encoded word,
 * and every fold segment fits on its line.
 */
static bool
mime_plain_ok(const char *s, size_t len, size_t col, bool phrase)
{
	size_t i, j;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e || (phrase && c != ' ' && !mime_atext(c)))
			return false;
		if (c == '=' && i + 1 < len && s[i + 1] == '?')
			return false;
	}
	for (i = 0; i < len; i = j) {
		j = mime_seg_end(s, len, i);
		if ((i == 0 ? col : 0) + (j - i) > MIME_LINE_MAX)
			return false;
	}
	return true;
}

/* An unstructured value (RFC 5322 3.2.5); returns the final column. */
static size_t
mime_unstructured(struct buf *out, const char *s, size_t len, size_t col)
{
	if (mime_plain_ok(s, len, col, false))
		return mime_fold_ascii(out, s, len, col);
	return mime_encoded_words(out, s, len, col);
}

void
mime_header_encode(struct buf *out, const char *text, size_t used)
{
	mime_unstructured(out, text, strlen(text), used);
}

/*
 * A display name (RFC 5322 phrase): atoms as they are, other printable
 * ASCII as a quoted-string if it fits the line, anything else as encoded
 * words.  Returns the final column.
 */
static size_t
mime_phrase(struct buf *out, const char *s, size_t len, size_t col)
{
	size_t i, qlen = 2;
	bool printable = true;

	if (mime_plain_ok(s, len, col, true))
		return mime_fold_ascii(out, s, len, col);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e || (c == '=' && i + 1 < len && s[i + 1] == '?'))
			printable = false;
		qlen += c == '"' || c == '\\' ? 2 : 1;
	}
	if (!printable || col + qlen > MIME_LINE_MAX)
		return mime_encoded_words(out, s, len, col);
	buf_addch(out, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf_addch(out, '\\');
		buf_addch(out, s[i]);
	}
	buf_addch(out, '"');
	return col + qlen;
}

/*
 * Validation.
 */

/* dot-atom-text: atext runs joined by single dots. */
static bool
mime_dot_atom(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return false;
		} else if (!mime_atext((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* An ASCII host name: LDH labels of 1-63 bytes, at most 253 in all. */
static bool
mime_hostname(const char *s, size_t len)
{
	size_t i, label = 0;

	if (len == 0 || len > 253)
		return false;
	for (i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';

		if (c == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || (c == '-' && label > 0))
			label++;
		else
			return false;
	}
	return true;
}

/* local@domain: a dot-atom local part of 1-64 bytes and a host name. */
static bool
mime_addr_ok(const char *a)
{
	const char *at = strchr(a, '@');
	size_t len = strlen(a);

	if (at == NULL || len > 254 || at - a > 64)
		return false;
	return mime_dot_atom(a, (size_t)(at - a)) && mime_hostname(at + 1, strlen(at + 1));
}

/* msg-id content (RFC 5322 3.6.4): dot-atom "@" dot-atom. */
static bool
mime_msgid_ok(const char *id)
{
	const char *at = strchr(id, '@');

	if (at == NULL || strlen(id) > 250)
		return false;
	return mime_dot_atom(id, (size_t)(at - id)) && mime_dot_atom(at + 1, strlen(at + 1));
}

static bool
mime_has_crlf(const char *s)
{
	return s != NULL && strpbrk(s, "\r\n") != NULL;
}

/*
 * "Name: value" in printable ASCII, at most one hard line long, not one
 * of the headers mime_build() writes itself, nor Cc/Bcc: a message goes
 * to exactly one recipient.
 */
static bool
mime_extra_ok(const char *h)
{
	static const char *const reserved[] = {
		"Date", "From", "To", "Cc", "Bcc", "Subject", "Message-ID", "MIME-Version",
	};
	const char *colon = strchr(h, ':');
	size_t i, namelen, len = strlen(h);

	if (colon == NULL || colon == h || len > MIME_HDR_HARD)
		return false;
	namelen = (size_t)(colon - h);
	for (i = 0; i < len; i++)
		if (h[i] < 0x20 || h[i] > 0x7e || (i < namelen && h[i] == ' '))
			return false;
	for (i = 0; i < ARRAY_SIZE(reserved); i++)
		if (strlen(reserved[i]) == namelen && strncasecmp(h, reserved[i], namelen) == 0)
			return false;
	return strncasecmp(h, "Content-", 8) != 0;
}

/* Latest date whose year has four digits: 9999-12-31T23:59:59Z. */
#define MIME_DATE_MAX 253402300799LL

static int
mime_validate(const struct mime_message *m)
{
	const char *const *h;

	if (m->from_addr == NULL || m->to_addr == NULL || m->subject == NULL ||
	    m->text == NULL || m->message_id == NULL)
		return -1;
	if (mime_has_crlf(m->from_name) || mime_has_crlf(m->to_name) ||
	    mime_has_crlf(m->subject) || mime_has_crlf(m->message_id))
		return -1;
	if (!mime_addr_ok(m->from_addr) || !mime_addr_ok(m->to_addr) ||
	    !mime_msgid_ok(m->message_id))
		return -1;
	if ((m->from_name != NULL && !mime_utf8_valid(m->from_name)) ||
	    (m->to_name != NULL && !mime_utf8_valid(m->to_name)) ||
	    !mime_utf8_valid(m->subject) || !mime_utf8_valid(m->text) ||
	    (m->html != NULL && !mime_utf8_valid(m->html)))
		return -1;
	for (h = m->extra_headers; h != NULL && *h != NULL; h++)
		if (!mime_extra_ok(*h))
			return -1;
	if (m->date < 0 || m->date > MIME_DATE_MAX)
		return -1;
	return 0;
}

/*
 * Writing.
 */

static int
mime_date(struct buf *out, long long date)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
	};
	time_t t = (time_t)date;
	struct tm tm;

	if ((long long)t != date || gmtime_r(&t, &tm) == NULL)
		return -1;
	/* Fixed English names: strftime would follow the locale. */
	buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
		   days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
		   tm.tm_hour, tm.tm_min, tm.tm_sec);
	return 0;
}

/* "Field: Name <addr>", or "Field: addr" without a usable name. */
static void
mime_mailbox(struct buf *out, const char *field, const char *name, const char *addr)
{
	size_t col, alen = strlen(addr) + 2;

	buf_printf(out, "%s: ", field);
	col = strlen(field) + 2;
	if (name != NULL && name[strspn(name, " ")] != '\0') {
		col = mime_phrase(out, name, strlen(name), col);
		if (col + 1 + alen > MIME_LINE_MAX)
			buf_add(out, "\r\n", 2);
		buf_printf(out, " <%s>", addr);
	} else
		buf_adds(out, addr);
	buf_add(out, "\r\n", 2);
}

/*
 * A boundary: "=_" cannot occur in quoted-printable output ('=' is always
 * followed by two hex digits or a line end), so it cannot occur in the
 * bodies whatever they hold.  The random tail only makes it unique; if
 * the kernel has no randomness to give, a hash of the id and date does.
 */
static void
mime_boundary(char *dst, size_t size, const struct mime_message *m)
{
	unsigned char r[12];
	uint64_t h = 0xcbf29ce484222325ULL;
	const char *s;
	size_t i;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		for (s = m->message_id; *s != '\0'; s++)
			h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
		h ^= (uint64_t)m->date;
		for (i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)(h >> (8 * (i % 8)) ^ i);
	}
	snprintf(dst, size, "=_portal_");
	for (i = 0; i < sizeof(r); i++) {
		dst[9 + 2 * i] = mime_hex[r[i] >> 4];
		dst[10 + 2 * i] = mime_hex[r[i] & 0xf];
	}
	dst[9 + 2 * sizeof(r)] = '\0';
}

/* A part's own headers, blank line, and body, without a final CRLF. */
static void
mime_part(struct buf *out, const char *type, const char *body)
{
	buf_printf(out, "Content-Type: %s; charset=UTF-8\r\n"
		   "Content-Transfer-Encoding: quoted-printable\r\n\r\n", type);
	mime_qp_encode(out, body, strlen(body));
}

int
mime_build(const struct mime_message *m, struct buf *out)
{
	char boundary[9 + 24 + 1];
	const char *const *h;
	size_t start = out->len;
	int rc = -1;

	if (out->err || mime_validate(m) == -1)
		goto out;
	if (mime_date(out, m->date) == -1)
		goto out;
	mime_mailbox(out, "From", m->from_name, m->from_addr);
	mime_mailbox(out, "To", m->to_name, m->to_addr);
	if (m->subject[0] != '\0') {
		buf_adds(out, "Subject: ");
		mime_header_encode(out, m->subject, strlen("Subject: "));
		buf_add(out, "\r\n", 2);
	} else
		buf_adds(out, "Subject:\r\n");
	buf_printf(out, "Message-ID: <%s>\r\nMIME-Version: 1.0\r\n", m->message_id);
	for (h = m->extra_headers; h != NULL && *h != NULL; h++) {
		mime_fold_ascii(out, *h, strlen(*h), 0);
		buf_add(out, "\r\n", 2);
	}
	if (m->html == NULL) {
		mime_part(out, "text/plain", m->text);
		/* The message (and SMTP's DATA) ends with a line end. */
		if (out->len < 2 || memcmp(out->data + out->len - 2, "\r\n", 2) != 0)
			buf_add(out, "\r\n", 2);
	} else {
		mime_boundary(boundary, sizeof(boundary), m);
		buf_printf(out, "Content-Type: multipart/alternative;\r\n"
			   " boundary=\"%s\"\r\n\r\n", boundary);
		/* The CRLF before each delimiter belongs to the delimiter
		 * (RFC 2046 5.1.1), so a body's own last line end survives. */
		buf_printf(out, "--%s\r\n", boundary);
		mime_part(out, "text/plain", m->text);
		buf_printf(out, "\r\n--%s\r\n", boundary);
		mime_part(out, "text/html", m->html);
		buf_printf(out, "\r\n--%s--\r\n", boundary);
	}
	if (!out->err)
		rc = 0;
out:
	if (rc == -1)
		buf_truncate(out, start);
	return rc;
}
