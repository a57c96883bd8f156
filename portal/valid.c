/*
 * valid.c - declarative input validation (see valid.h).
 *
 * Every validator works on an explicit (pointer, length) pair, never on a
 * C string, so an embedded NUL can never shorten what is checked.  Values
 * are copied into the arena only once they are known to be good, and the
 * copy is what the handler sees.
 */
#include "compat.h"

#include <limits.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "valid.h"

/*
 * Checking the exact byte ranges of each position (Unicode table 3-7)
 * rejects overlong forms, surrogates and code points past U+10FFFF
 * without decoding first.
 */
size_t
valid_utf8_char(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;
	uint32_t c;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		if (cp != NULL)
			*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* past U+10FFFF */
		c &= 0x07;
	} else
		return 0;
	if (n <= need)
		return 0;
	for (i = 1; i <= need; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (cp != NULL)
		*cp = c;
	return need + 1;
}

bool
valid_utf8(const char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];

		/* C0 controls and DEL have no place in form text, but tab and
		 * line breaks do (textareas). */
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
			return false;
		if ((n = valid_utf8_char(s + i, len - i, NULL)) == 0)
			return false;
		i += n;
	}
	return true;
}

size_t
valid_utf8_length(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

static bool
valid_is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static bool
valid_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/* The characters of RFC 5322's dot-atom, which is all a real form needs. */
static bool
valid_email_local_char(unsigned char c)
{
	return valid_is_alnum(c) ||
	    (c != '\0' && strchr(".!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

bool
valid_email(const char *s, size_t len)
{
	const char *at;
	size_t i, j, llen, start, labels = 0;

	if (len == 0 || len > 254)
		return false;
	at = memchr(s, '@', len);
	if (at == NULL)
		return false;
	llen = (size_t)(at - s);
	if (llen == 0 || llen > 64 || s[0] == '.' || s[llen - 1] == '.')
		return false;
	for (i = 0; i < llen; i++) {
		if (!valid_email_local_char((unsigned char)s[i]))
			return false;
		if (s[i] == '.' && s[i + 1] == '.')
			return false;
	}

	/* The domain: labels separated by single dots; a second '@' fails
	 * the character check. */
	start = llen + 1;
	for (;;) {
		for (j = start; j < len && s[j] != '.'; j++)
			if (!valid_is_alnum((unsigned char)s[j]) && s[j] != '-')
				return false;
		if (j == start || j - start > 63 || s[start] == '-' || s[j - 1] == '-')
			return false;
		labels++;
		if (j == len)
			break;
		start = j + 1;
	}
	return labels >= 2;
}

/* Sets *msg to "«label»: " followed by text, in the arena. */
static void
valid_fail(struct arena *a, const char **msg, const char *label, const char *text)
{
	*msg = arena_printf(a, "«%s»: %s", label, text);
}

static int
valid_text(const struct field *f, const char *label, const char *p, size_t n,
	   struct arena *a, struct field_value *out, const char **msg)
{
	char *s;
	size_t i, j, cps;

	if (!valid_utf8(p, n)) {
		valid_fail(a, msg, label, "il testo contiene caratteri non validi.");
		return -1;
	}
	s = arena_strndup(a, p, n);
	if (f->flags & FIELD_MULTILINE) {
		/* Browsers send textarea breaks as CRLF; store one form. */
		for (i = j = 0; i < n; i++) {
			if (s[i] == '\r') {
				s[j++] = '\n';
				if (i + 1 < n && s[i + 1] == '\n')
					i++;
			} else
				s[j++] = s[i];
		}
		s[j] = '\0';
		n = j;
	} else if (memchr(s, '\n', n) != NULL || memchr(s, '\r', n) != NULL) {
		valid_fail(a, msg, label, "il testo deve stare su una sola riga.");
		return -1;
	}

	cps = valid_utf8_length(s, n);
	if (f->max > 0 && cps > (unsigned long long)f->max) {
		*msg = arena_printf(a, "«%s»: al massimo %lld %s.", label, f->max,
				    f->max == 1 ? "carattere" : "caratteri");
		return -1;
	}
	if (f->min > 0 && cps < (unsigned long long)f->min) {
		*msg = arena_printf(a, "«%s»: almeno %lld %s.", label, f->min,
				    f->min == 1 ? "carattere" : "caratteri");
		return -1;
	}
	out->str = s;
	out->len = n;
	return 0;
}

/*
 * Parses an optional '-' and decimal digits, nothing else, into *num.
 * Returns 0, -1 for junk, or 1 for a number outside long long.  The
 * accumulator is unsigned and checked before each step, so no
 * intermediate value overflows.
 */
static int
valid_parse_ll(const char *p, size_t n, long long *num)
{
	unsigned long long acc = 0, limit;
	bool neg = false;
	size_t i = 0;
	unsigned d;

	if (n > 0 && p[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == n)
		return -1;
	limit = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	for (; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		d = (unsigned)(p[i] - '0');
		if (acc > (limit - d) / 10)
			return 1;
		acc = acc * 10 + d;
	}
	if (!neg)
		*num = (long long)acc;
	else if (acc == (unsigned long long)LLONG_MAX + 1)
		*num = LLONG_MIN;
	else
		*num = -(long long)acc;
	return 0;
}

static int
valid_int(const struct field *f, const char *label, const char *p, size_t n,
	  struct arena *a, struct field_value *out, const char **msg)
{
	bool bounded = f->min != 0 || f->max != 0;
	long long num = 0;
	int rc;

	rc = valid_parse_ll(p, n, &num);
	if (rc == -1 || (rc == 1 && !bounded)) {
		valid_fail(a, msg, label, "inserire un numero intero.");
		return -1;
	}
	if (rc == 1 || (bounded && (num < f->min || num > f->max))) {
		*msg = arena_printf(a, "«%s»: inserire un numero tra %lld e %lld.",
				    label, f->min, f->max);
		return -1;
	}
	/* The canonical form: no leading zeros, no "-0". */
	out->str = arena_printf(a, "%lld", num);
	out->len = strlen(out->str);
	out->num = num;
	return 0;
}

static int
valid_email_field(const char *label, const char *p, size_t n, struct arena *a,
		  struct field_value *out, const char **msg)
{
	char *s;
	size_t i;

	if (!valid_email(p, n)) {
		valid_fail(a, msg, label, "inserire un indirizzo email valido.");
		return -1;
	}
	/* Lower-cased so that one address is one account whatever the case
	 * it was typed in; valid_email() admitted ASCII only. */
	s = arena_strndup(a, p, n);
	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
	out->str = s;
	out->len = n;
	return 0;
}

static int
valid_days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[m - 1];
}

static int
valid_date(const struct field *f, const char *label, const char *p, size_t n,
	   struct arena *a, struct field_value *out, const char **msg)
{
	int y = 0, m = 0, d = 0;
	long long num;
	size_t i;

	if (n != 10 || p[4] != '-' || p[7] != '-')
		goto bad;
	for (i = 0; i < n; i++) {
		if (i == 4 || i == 7)
			continue;
		if (p[i] < '0' || p[i] > '9')
			goto bad;
	}
	y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
	m = (p[5] - '0') * 10 + (p[6] - '0');
	d = (p[8] - '0') * 10 + (p[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > valid_days_in_month(y, m))
		goto bad;
	num = (long long)y * 10000 + m * 100 + d;
	if ((f->min != 0 && num < f->min) || (f->max != 0 && num > f->max)) {
		valid_fail(a, msg, label, "data fuori dall'intervallo consentito.");
		return -1;
	}
	out->str = arena_strndup(a, p, n);
	out->len = n;
	out->num = num;
	return 0;
bad:
	valid_fail(a, msg, label, "inserire una data valida (AAAA-MM-GG).");
	return -1;
}

static int
valid_enum(const struct field *f, const char *label, const char *p, size_t n,
	   struct arena *a, struct field_value *out, const char **msg)
{
	size_t i;

	for (i = 0; f->choices != NULL && f->choices[i] != NULL; i++) {
		if (strlen(f->choices[i]) == n && memcmp(f->choices[i], p, n) == 0) {
			out->str = arena_strndup(a, p, n);
			out->len = n;
			out->num = (long long)i;
			return 0;
		}
	}
	valid_fail(a, msg, label, "scegliere uno dei valori proposti.");
	return -1;
}

/* Case-insensitive match of p[0..n) against a NULL-terminated list. */
static bool
valid_in(const char *p, size_t n, const char *const *list)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strlen(list[i]) == n && strncasecmp(list[i], p, n) == 0)
			return true;
	return false;
}

static int
valid_bool(const char *label, const char *p, size_t n, struct arena *a,
	   struct field_value *out, const char **msg)
{
	static const char *const yes[] = { "1", "on", "true", "yes", NULL };
	static const char *const no[] = { "0", "off", "false", "no", "", NULL };

	if (valid_in(p, n, yes))
		out->num = 1;
	else if (valid_in(p, n, no))
		out->num = 0;
	else {
		valid_fail(a, msg, label, "valore non valido.");
		return -1;
	}
	out->str = arena_strdup(a, out->num ? "1" : "0");
	out->len = 1;
	return 0;
}

static int
valid_token(const struct field *f, const char *label, const char *p, size_t n,
	    struct arena *a, struct field_value *out, const char **msg)
{
	size_t i;

	/* Tokens are machine-made: any fault gets the same terse message. */
	if ((f->max > 0 && n > (unsigned long long)f->max) ||
	    (f->min > 0 && n < (unsigned long long)f->min))
		goto bad;
	for (i = 0; i < n; i++)
		if (!valid_is_alnum((unsigned char)p[i]) && p[i] != '_' && p[i] != '-')
			goto bad;
	out->str = arena_strndup(a, p, n);
	out->len = n;
	return 0;
bad:
	valid_fail(a, msg, label, "valore non valido.");
	return -1;
}

int
valid_field(const struct field *f, const char *value, size_t len,
	    struct arena *a, struct field_value *out, const char **msg)
{
	const char *label = f->label != NULL ? f->label : f->name;
	const char *p = value;
	size_t n = len;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	*msg = NULL;
	if (value == NULL)
		goto missing;
	/* A NUL would end the value early for every C string API later on. */
	if (memchr(value, '\0', len) != NULL) {
		valid_fail(a, msg, label, "il testo contiene caratteri non validi.");
		goto out;
	}
	if (!(f->flags & FIELD_RAW)) {
		while (n > 0 && valid_is_space((unsigned char)p[0])) {
			p++;
			n--;
		}
		while (n > 0 && valid_is_space((unsigned char)p[n - 1]))
			n--;
	}
	/* An unticked checkbox may arrive as "": that is a "no", not a gap. */
	if (n == 0 && f->kind != VALID_BOOL)
		goto missing;

	switch (f->kind) {
	case VALID_TEXT:
		rc = valid_text(f, label, p, n, a, out, msg);
		break;
	case VALID_INT:
		rc = valid_int(f, label, p, n, a, out, msg);
		break;
	case VALID_EMAIL:
		rc = valid_email_field(label, p, n, a, out, msg);
		break;
	case VALID_DATE:
		rc = valid_date(f, label, p, n, a, out, msg);
		break;
	case VALID_ENUM:
		rc = valid_enum(f, label, p, n, a, out, msg);
		break;
	case VALID_BOOL:
		rc = valid_bool(label, p, n, a, out, msg);
		break;
	case VALID_TOKEN:
		rc = valid_token(f, label, p, n, a, out, msg);
		break;
	default:
		valid_fail(a, msg, label, "valore non valido.");
		break;
	}
	if (rc == 0)
		out->present = true;
	goto out;

missing:
	if (f->flags & FIELD_REQUIRED)
		*msg = arena_printf(a, "Il campo «%s» è obbligatorio.", label);
	else
		rc = 0;
out:
	if (rc == -1)
		memset(out, 0, sizeof(*out));
	return rc;
}
