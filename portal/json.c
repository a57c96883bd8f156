/*
 * json.c - compact JSON writer and strict JSON parser (see json.h).
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "json.h"
#include "valid.h"
#include "log.h"

/*
 * Writer.
 */

void
json_writer_init(struct json_writer *w, struct buf *out)
{
	w->out = out;
	w->depth = 0;
	w->has_items = 0;
	w->is_object = 0;
}

void
json_escape(struct buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, n;
	char esc[7];
	uint32_t cp;

	buf_addch(out, '"');
	while (i < len) {
		unsigned char c = p[i];
		const char *rep = NULL;

		n = 1;
		if (c >= 0x80) {
			n = valid_utf8_char((const char *)p + i, len - i, &cp);
			if (n == 0) {
				rep = "\\ufffd";
				n = 1;
			} else if (cp == 0x2028)
				rep = "\\u2028";
			else if (cp == 0x2029)
				rep = "\\u2029";
		} else if (c == '"')
			rep = "\\\"";
		else if (c == '\\')
			rep = "\\\\";
		else if (c == '\b')
			rep = "\\b";
		else if (c == '\f')
			rep = "\\f";
		else if (c == '\n')
			rep = "\\n";
		else if (c == '\r')
			rep = "\\r";
		else if (c == '\t')
			rep = "\\t";
		else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			esc[6] = '\0';
			rep = esc;
		}
		if (rep == NULL) {
			/* Copy runs of plain bytes in one append. */
			run += n;
			i += n;
			continue;
		}
		buf_add(out, p + i - run, run);
		run = 0;
		buf_adds(out, rep);
		i += n;
	}
	buf_add(out, p + i - run, run);
	buf_addch(out, '"');
}

/* Checks the key against the container, writes the comma and the key. */
static void
json_begin_value(struct json_writer *w, const char *key)
{
	uint64_t bit = (uint64_t)1 << w->depth;

	if (w->depth == 0) {
		if (key != NULL)
			fatalx("json: key \"%s\" at the top level", key);
		if (w->has_items & bit)
			fatalx("json: second value at the top level");
	} else if (w->is_object & bit) {
		if (key == NULL)
			fatalx("json: object member without a key");
	} else if (key != NULL)
		fatalx("json: key \"%s\" inside an array", key);
	if (w->has_items & bit)
		buf_addch(w->out, ',');
	w->has_items |= bit;
	if (key != NULL) {
		json_escape(w->out, key, strlen(key));
		buf_addch(w->out, ':');
	}
}

static void
json_open(struct json_writer *w, const char *key, bool object)
{
	uint64_t bit;

	json_begin_value(w, key);
	if (w->depth >= JSON_WRITER_MAX_DEPTH)
		fatalx("json: writer nesting deeper than %d", JSON_WRITER_MAX_DEPTH);
	w->depth++;
	bit = (uint64_t)1 << w->depth;
	w->has_items &= ~bit;
	if (object)
		w->is_object |= bit;
	else
		w->is_object &= ~bit;
	buf_addch(w->out, object ? '{' : '[');
}

static void
json_close(struct json_writer *w, bool object)
{
	uint64_t bit = (uint64_t)1 << w->depth;

	if (w->depth == 0)
		fatalx("json: closing %s that is not open", object ? "an object" : "an array");
	if (!(w->is_object & bit) != !object)
		fatalx("json: closing %s while %s is open", object ? "an object" : "an array",
		       object ? "an array" : "an object");
	w->depth--;
	buf_addch(w->out, object ? '}' : ']');
}

void
json_obj_open(struct json_writer *w, const char *key)
{
	json_open(w, key, true);
}

void
json_obj_close(struct json_writer *w)
{
	json_close(w, true);
}

void
json_arr_open(struct json_writer *w, const char *key)
{
	json_open(w, key, false);
}

void
json_arr_close(struct json_writer *w)
{
	json_close(w, false);
}

void
json_strn(struct json_writer *w, const char *key, const char *val, size_t len)
{
	json_begin_value(w, key);
	if (val == NULL)
		buf_adds(w->out, "null");
	else
		json_escape(w->out, val, len);
}

void
json_str(struct json_writer *w, const char *key, const char *val)
{
	json_strn(w, key, val, val != NULL ? strlen(val) : 0);
}

void
json_int(struct json_writer *w, const char *key, long long v)
{
	json_begin_value(w, key);
	buf_printf(w->out, "%lld", v);
}

void
json_bool(struct json_writer *w, const char *key, bool v)
{
	json_begin_value(w, key);
	buf_adds(w->out, v ? "true" : "false");
}

void
json_null(struct json_writer *w, const char *key)
{
	json_begin_value(w, key);
	buf_adds(w->out, "null");
}

void
json_raw(struct json_writer *w, const char *key, const char *json)
{
	json_begin_value(w, key);
	buf_adds(w->out, json != NULL ? json : "null");
}

/*
 * Parser: recursive descent over the byte range, depth bounded by
 * JSON_PARSE_MAX_DEPTH so the recursion is too.
 */

/* A member name of an object being parsed, for the duplicate check. */
struct json_ref {
	const char *key;
	size_t len;
	size_t off;	/* of the name's opening quote */
};

struct json_parser {
	struct arena *a;
	const unsigned char *p;
	size_t len;
	size_t pos;
	const char *err;
	/*
	 * Names of the members of every object still open, innermost last:
	 * each object owns the tail from where it began.  malloc'ed, freed
	 * by json_parse().  Sorting a tail finds duplicates in O(n log n),
	 * where pairwise checks would let a big object cost O(n^2).
	 */
	struct json_ref *refs;
	size_t nrefs, refs_cap;
	size_t nvalues;		/* values parsed so far, bounded by JSON_PARSE_MAX_VALUES */
};

static int json_parse_value(struct json_parser *jp, struct json_value *v, unsigned depth);

/* Records the first error only; always returns -1. */
static int
json_fail(struct json_parser *jp, const char *what, size_t off)
{
	if (jp->err == NULL)
		jp->err = arena_printf(jp->a, "%s at offset %zu", what, off);
	return -1;
}

static void
json_skip_ws(struct json_parser *jp)
{
	while (jp->pos < jp->len) {
		unsigned char c = jp->p[jp->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		jp->pos++;
	}
}

/* Error for a byte that is not what the grammar wants (or for no byte at all). */
static int
json_unexpected(struct json_parser *jp)
{
	if (jp->pos >= jp->len)
		return json_fail(jp, "unexpected end of input", jp->len);
	return json_fail(jp, "unexpected character", jp->pos);
}

static int
json_hex4(const unsigned char *s, uint32_t *out)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t
json_utf8_put(char *dst, uint32_t cp)
{
	if (cp < 0x80) {
		dst[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		dst[0] = (char)(0xc0 | (cp >> 6));
		dst[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		dst[0] = (char)(0xe0 | (cp >> 12));
		dst[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		dst[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	dst[0] = (char)(0xf0 | (cp >> 18));
	dst[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	dst[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	dst[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Parses the string whose opening quote is at jp->pos into a NUL-terminated
 * arena copy.  The closing quote is found first: no escape decodes to more
 * bytes than it occupies, so its span bounds the decoded size and one
 * allocation suffices.
 */
static int
json_parse_string(struct json_parser *jp, const char **out, size_t *outlen)
{
	const unsigned char *p = jp->p;
	size_t start = jp->pos + 1, end, q, k = 0, n;
	uint32_t cp, lo;
	char *dst;

	for (end = start; end < jp->len && p[end] != '"'; end++)
		if (p[end] == '\\')
			end++;
	if (end >= jp->len)
		return json_fail(jp, "unexpected end of input", jp->len);
	dst = arena_alloc(jp->a, end - start + 1);
	for (q = start; q < end; q += n) {
		unsigned char c = p[q];

		n = 1;
		if (c == '\\') {
			/* The scan above stepped over p[q + 1], so q + 1 < end. */
			n = 2;
			switch (p[q + 1]) {
			case '"':  dst[k++] = '"'; break;
			case '\\': dst[k++] = '\\'; break;
			case '/':  dst[k++] = '/'; break;
			case 'b':  dst[k++] = '\b'; break;
			case 'f':  dst[k++] = '\f'; break;
			case 'n':  dst[k++] = '\n'; break;
			case 'r':  dst[k++] = '\r'; break;
			case 't':  dst[k++] = '\t'; break;
			case 'u':
				n = 6;
				if (end - q < 6 || json_hex4(p + q + 2, &cp) == -1)
					return json_fail(jp, "invalid \\u escape", q);
				if (cp == 0)
					return json_fail(jp, "\\u0000 not allowed", q);
				if (cp >= 0xdc00 && cp <= 0xdfff)
					return json_fail(jp, "lone surrogate", q);
				if (cp >= 0xd800 && cp <= 0xdbff) {
					if (end - q < 12 || p[q + 6] != '\\' || p[q + 7] != 'u' ||
					    json_hex4(p + q + 8, &lo) == -1 ||
					    lo < 0xdc00 || lo > 0xdfff)
						return json_fail(jp, "lone surrogate", q);
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					n = 12;
				}
				k += json_utf8_put(dst + k, cp);
				break;
			default:
				return json_fail(jp, "invalid escape", q);
			}
		} else if (c < 0x20) {
			return json_fail(jp, "control character in string", q);
		} else if (c < 0x80) {
			dst[k++] = (char)c;
		} else {
			n = valid_utf8_char((const char *)p + q, end - q, &cp);
			if (n == 0)
				return json_fail(jp, "invalid UTF-8", q);
			memcpy(dst + k, p + q, n);
			k += n;
		}
	}
	dst[k] = '\0';
	*out = dst;
	*outlen = k;
	jp->pos = end + 1;
	return 0;
}

static int
json_digits(struct json_parser *jp)
{
	size_t from = jp->pos;

	while (jp->pos < jp->len && jp->p[jp->pos] >= '0' && jp->p[jp->pos] <= '9')
		jp->pos++;
	if (jp->pos == from) {
		if (jp->pos >= jp->len)
			return json_fail(jp, "unexpected end of input", jp->len);
		return json_fail(jp, "invalid number", jp->pos);
	}
	return 0;
}

/* number = [ "-" ] ( "0" / 1-9 *DIGIT ) [ "." 1*DIGIT ] [ ( "e" / "E" ) [ "+" / "-" ] 1*DIGIT ] */
static int
json_parse_number(struct json_parser *jp, struct json_value *v)
{
	size_t start = jp->pos;

	if (jp->p[jp->pos] == '-')
		jp->pos++;
	if (jp->pos < jp->len && jp->p[jp->pos] == '0') {
		jp->pos++;
		if (jp->pos < jp->len && jp->p[jp->pos] >= '0' && jp->p[jp->pos] <= '9')
			return json_fail(jp, "leading zero in number", jp->pos - 1);
	} else if (json_digits(jp) == -1)
		return -1;
	if (jp->pos < jp->len && jp->p[jp->pos] == '.') {
		jp->pos++;
		if (json_digits(jp) == -1)
			return -1;
	}
	if (jp->pos < jp->len && (jp->p[jp->pos] == 'e' || jp->p[jp->pos] == 'E')) {
		jp->pos++;
		if (jp->pos < jp->len && (jp->p[jp->pos] == '+' || jp->p[jp->pos] == '-'))
			jp->pos++;
		if (json_digits(jp) == -1)
			return -1;
	}
	v->type = JSON_NUMBER;
	v->len = jp->pos - start;
	v->str = arena_strndup(jp->a, (const char *)jp->p + start, v->len);
	return 0;
}

static int
json_parse_literal(struct json_parser *jp, const char *word)
{
	size_t i, n = strlen(word);

	for (i = 0; i < n; i++) {
		if (jp->pos + i >= jp->len)
			return json_fail(jp, "unexpected end of input", jp->len);
		if (jp->p[jp->pos + i] != (unsigned char)word[i])
			return json_fail(jp, "invalid literal", jp->pos);
	}
	jp->pos += n;
	return 0;
}

/*
 * After an element: consumes ',' (returning 1, more follow) or the closing
 * byte (returning 0).  A comma directly before the closing byte is an
 * error of its own, as it is the most common hand-written mistake.
 */
static int
json_after_element(struct json_parser *jp, unsigned char close)
{
	size_t comma;

	json_skip_ws(jp);
	if (jp->pos < jp->len && jp->p[jp->pos] == close) {
		jp->pos++;
		return 0;
	}
	if (jp->pos >= jp->len || jp->p[jp->pos] != ',')
		return json_unexpected(jp);
	comma = jp->pos++;
	json_skip_ws(jp);
	if (jp->pos < jp->len && jp->p[jp->pos] == close)
		return json_fail(jp, "trailing comma", comma);
	return 1;
}

static int
json_parse_array(struct json_parser *jp, struct json_value *v, unsigned depth)
{
	struct json_value **tail = &v->child, *e;
	int more;

	v->type = JSON_ARRAY;
	jp->pos++;
	json_skip_ws(jp);
	if (jp->pos < jp->len && jp->p[jp->pos] == ']') {
		jp->pos++;
		return 0;
	}
	do {
		e = arena_alloc(jp->a, sizeof(*e));
		if (json_parse_value(jp, e, depth + 1) == -1)
			return -1;
		*tail = e;
		tail = &e->next;
		v->count++;
	} while ((more = json_after_element(jp, ']')) == 1);
	return more;
}

static int
json_ref_cmp(const void *x, const void *y)
{
	const struct json_ref *a = x, *b = y;
	int c;

	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	if ((c = memcmp(a->key, b->key, a->len)) != 0)
		return c;
	return a->off < b->off ? -1 : a->off > b->off;
}

static void
json_ref_push(struct json_parser *jp, const char *key, size_t len, size_t off)
{
	struct json_ref *r;
	size_t cap;

	if (jp->nrefs == jp->refs_cap) {
		cap = jp->refs_cap ? jp->refs_cap * 2 : 32;
		if (cap > SIZE_MAX / sizeof(*r))
			log_oom(SIZE_MAX);
		r = realloc(jp->refs, cap * sizeof(*r));
		if (r == NULL)
			log_oom(cap * sizeof(*r));
		jp->refs = r;
		jp->refs_cap = cap;
	}
	r = &jp->refs[jp->nrefs++];
	r->key = key;
	r->len = len;
	r->off = off;
}

/*
 * Fails on a name used twice among refs[base..nrefs).  Sorted by name
 * then offset, the smallest offset among second occurrences is where the
 * document first repeats a name: the error points there.
 */
static int
json_check_dups(struct json_parser *jp, size_t base)
{
	struct json_ref *r = jp->refs + base;
	size_t n = jp->nrefs - base, i, dup = SIZE_MAX;

	if (n < 2)
		return 0;
	qsort(r, n, sizeof(*r), json_ref_cmp);
	for (i = 1; i < n; i++)
		if (r[i].len == r[i - 1].len && memcmp(r[i].key, r[i - 1].key, r[i].len) == 0 &&
		    r[i].off < dup)
			dup = r[i].off;
	if (dup != SIZE_MAX)
		return json_fail(jp, "duplicate key", dup);
	return 0;
}

static int
json_parse_object(struct json_parser *jp, struct json_value *v, unsigned depth)
{
	struct json_value **tail = &v->child, *e;
	size_t base = jp->nrefs, off, klen;
	const char *key;
	int more, rc = -1;

	v->type = JSON_OBJECT;
	jp->pos++;
	json_skip_ws(jp);
	if (jp->pos < jp->len && jp->p[jp->pos] == '}') {
		jp->pos++;
		rc = 0;
		goto out;
	}
	do {
		if (jp->pos >= jp->len || jp->p[jp->pos] != '"') {
			json_unexpected(jp);
			goto out;
		}
		off = jp->pos;
		if (json_parse_string(jp, &key, &klen) == -1)
			goto out;
		json_skip_ws(jp);
		if (jp->pos >= jp->len || jp->p[jp->pos] != ':') {
			json_unexpected(jp);
			goto out;
		}
		jp->pos++;
		e = arena_alloc(jp->a, sizeof(*e));
		if (json_parse_value(jp, e, depth + 1) == -1)
			goto out;
		e->key = key;
		json_ref_push(jp, key, klen, off);
		*tail = e;
		tail = &e->next;
		v->count++;
	} while ((more = json_after_element(jp, '}')) == 1);
	if (more == 0)
		rc = json_check_dups(jp, base);
out:
	jp->nrefs = base;
	return rc;
}

static int
json_parse_value(struct json_parser *jp, struct json_value *v, unsigned depth)
{
	json_skip_ws(jp);
	if (jp->pos >= jp->len)
		return json_unexpected(jp);
	/* Each value costs a node of ~80 bytes: without a bound, a 1 MB body
	 * of "1," would take 40 MB of memory. */
	if (++jp->nvalues > JSON_PARSE_MAX_VALUES)
		return json_fail(jp, "too many values", jp->pos);
	switch (jp->p[jp->pos]) {
	case '{':
	case '[':
		if (depth >= JSON_PARSE_MAX_DEPTH)
			return json_fail(jp, "nesting too deep", jp->pos);
		if (jp->p[jp->pos] == '{')
			return json_parse_object(jp, v, depth);
		return json_parse_array(jp, v, depth);
	case '"':
		v->type = JSON_STRING;
		return json_parse_string(jp, &v->str, &v->len);
	case 't':
		v->type = JSON_BOOL;
		v->boolean = true;
		return json_parse_literal(jp, "true");
	case 'f':
		v->type = JSON_BOOL;
		return json_parse_literal(jp, "false");
	case 'n':
		v->type = JSON_NULL;
		return json_parse_literal(jp, "null");
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return json_parse_number(jp, v);
	default:
		return json_unexpected(jp);
	}
}

struct json_value *
json_parse(struct arena *a, const char *text, size_t len, const char **err)
{
	struct json_parser jp;
	struct json_value *root, *ret = NULL;

	memset(&jp, 0, sizeof(jp));
	jp.a = a;
	jp.p = (const unsigned char *)(text != NULL ? text : "");
	jp.len = text != NULL ? len : 0;
	root = arena_alloc(a, sizeof(*root));
	if (json_parse_value(&jp, root, 0) == -1)
		goto out;
	json_skip_ws(&jp);
	if (jp.pos < jp.len) {
		json_fail(&jp, "trailing characters", jp.pos);
		goto out;
	}
	ret = root;
out:
	free(jp.refs);
	if (err != NULL)
		*err = ret != NULL ? NULL : jp.err;
	return ret;
}

const struct json_value *
json_get(const struct json_value *obj, const char *key)
{
	const struct json_value *v;

	if (obj == NULL || obj->type != JSON_OBJECT || key == NULL)
		return NULL;
	for (v = obj->child; v != NULL; v = v->next)
		if (strcmp(v->key, key) == 0)
			return v;
	return NULL;
}

int
json_get_int(const struct json_value *v, long long *out)
{
	long long n;
	char *end;

	if (v == NULL || v->type != JSON_NUMBER || strpbrk(v->str, ".eE") != NULL)
		return -1;
	errno = 0;
	n = strtoll(v->str, &end, 10);
	if (errno == ERANGE || end == v->str || *end != '\0')
		return -1;
	*out = n;
	return 0;
}
