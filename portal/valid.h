/*
 * valid.h - declarative input validation (kcgi's kvalid, Kore's validators).
 *
 * Each route declares its parameters as a table of struct field; the core
 * runs valid_field() on every declared parameter before the handler, and
 * the handler only ever sees normalised, typed values.  The predicates
 * (valid_utf8, valid_email) are also usable on their own.
 *
 * Nothing here logs: a failure is the client's, and becomes an Italian
 * message for the form (or a 400 for the JSON API).  All functions are
 * thread-safe; the only memory they allocate comes from the caller's arena.
 */
#ifndef PORTAL_VALID_H
#define PORTAL_VALID_H

#include "compat.h"

#include "arena.h"

/*
 * Length (1-4) of the well-formed UTF-8 character at s, which has n bytes
 * left, storing its code point in *cp unless cp is NULL; 0 if the bytes are
 * malformed, overlong, a surrogate, past U+10FFFF or cut short.  Accepts
 * every code point, controls included: callers decide which they allow.
 */
size_t valid_utf8_char(const char *s, size_t n, uint32_t *cp);

/*
 * True if s[0..len) is strict UTF-8: no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence, and no
 * NUL, C0 control character (tab, LF and CR excepted) or DEL.
 */
bool valid_utf8(const char *s, size_t len);

/*
 * Code points in s[0..len).  The input must have passed valid_utf8(); on
 * other input the result is the number of non-continuation bytes.
 */
size_t valid_utf8_length(const char *s, size_t len);

/*
 * A pragmatic email address check (no quoted local parts, no IP literals):
 * local@domain, local part 1..64 bytes of [A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]
 * not starting or ending with '.' and without "..", domain of at least two
 * labels of [A-Za-z0-9-] (1..63 bytes, not starting or ending with '-'),
 * at most 254 bytes in all.
 */
bool valid_email(const char *s, size_t len);

enum valid_kind {
	VALID_TEXT,	/* UTF-8, min..max code points (max 0: no bound) */
	VALID_INT,	/* decimal, optional '-', in [min, max] (both 0: any long long) */
	VALID_EMAIL,	/* valid_email(), lower-cased */
	VALID_DATE,	/* YYYY-MM-DD, a real date; num = YYYYMMDD, bounded by min/max if non-zero */
	VALID_ENUM,	/* one of choices; num = its index */
	VALID_BOOL,	/* "1" "on" "true" "yes" -> 1, "0" "off" "false" "no" "" -> 0 (any case) */
	VALID_TOKEN	/* [A-Za-z0-9_-], min..max bytes (max 0: no bound) */
};

enum field_source { FIELD_QUERY, FIELD_BODY, FIELD_PATH };

#define FIELD_REQUIRED	0x1u	/* missing or empty is an error */
#define FIELD_MULTILINE	0x2u	/* TEXT may hold line breaks (normalised to "\n") */
#define FIELD_RAW	0x4u	/* keep surrounding whitespace (passwords) */
#define FIELD_MULTI	0x8u	/* may be repeated (form checkboxes) or, in a JSON body, an
				 * array; each value is validated and the values are linked
				 * by next, in the order sent */

/* One declared parameter; tables of these are static const. */
struct field {
	const char *name;		/* parameter name on the wire */
	enum field_source source;	/* where the router looks for it */
	enum valid_kind kind;
	long long min, max;		/* meaning depends on kind, see above */
	const char *const *choices;	/* VALID_ENUM: NULL-terminated list */
	unsigned flags;			/* FIELD_* */
	const char *label;		/* Italian label for messages; NULL: name */
};

/*
 * A validated value.  str is NUL-terminated, lives in the arena, and is
 * NULL when the value is absent; len is its length in bytes.  num holds
 * the number (INT), 1/0 (BOOL), YYYYMMDD (DATE) or the choice's index
 * (ENUM), and 0 otherwise.
 */
struct field_value {
	const char *str;
	size_t len;
	long long num;
	bool present;
	const struct field_value *next;	/* FIELD_MULTI: the next value sent, or NULL */
};

/*
 * Validates value[0..len) (which may contain NUL bytes: they are rejected)
 * against f.  Unless FIELD_RAW, surrounding ASCII whitespace is trimmed
 * first; for every kind but BOOL an empty value then counts as missing.
 * Multi-line TEXT has CRLF and lone CR turned into LF before its length is
 * counted.
 *
 * Returns 0 and fills *out on success, including a missing (value == NULL
 * or empty) non-required field, which gives present == false.  Returns -1
 * on failure and sets *msg to an Italian sentence naming f->label, allocated
 * in a (e.g. "Il campo «Nome» è obbligatorio."); *out is then zeroed.
 */
int valid_field(const struct field *f, const char *value, size_t len,
		struct arena *a, struct field_value *out, const char **msg);

#endif
