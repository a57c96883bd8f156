/*
 * json.h - a compact JSON writer and a strict JSON parser.
 *
 * The writer appends to a struct buf and places the commas itself; like
 * every buf user, the caller checks out->err once at the end.  Its output
 * is always valid UTF-8 and safe to embed in an HTML <script> element:
 * '<', '>', '&', U+2028 and U+2029 are written as \u escapes.
 *
 * The parser (RFC 8259) builds a tree in a caller's arena.  It is meant
 * for untrusted request bodies: it never ends the process, bounds the
 * nesting depth, validates UTF-8 and numbers, and rejects what RFC 8259
 * leaves ambiguous (duplicate member names, lone surrogates, \u0000).
 */
#ifndef PORTAL_JSON_H
#define PORTAL_JSON_H

#include "compat.h"

#include "arena.h"
#include "buf.h"

/* Deepest nesting of the writer's arrays and objects. */
#define JSON_WRITER_MAX_DEPTH 63
/* Deepest nesting the parser accepts. */
#define JSON_PARSE_MAX_DEPTH 32
#define JSON_PARSE_MAX_VALUES 10000	/* values in one document (memory bound) */

/*
 * Writer state.  It lives wherever the caller likes (usually the stack)
 * and owns nothing; out must outlive it.  Bit d of has_items says the
 * container at depth d already has a value (so the next one needs a
 * comma), bit d of is_object says it is an object (so its values need a
 * key).  Depth 0 is the top level, which takes exactly one value.
 *
 * Misuse is a programming error, never a matter of input, so it ends
 * the process with fatalx(): nesting deeper than JSON_WRITER_MAX_DEPTH,
 * closing what is not open or closing an array with json_obj_close()
 * (or the reverse), a key missing inside an object or given outside one,
 * a second value at the top level.
 */
struct json_writer {
	struct buf *out;
	unsigned depth;
	uint64_t has_items;	/* bit per depth */
	uint64_t is_object;	/* bit per depth */
};

void json_writer_init(struct json_writer *w, struct buf *out);

/*
 * Each value function takes the member name as key: NULL at the top
 * level and inside arrays, non-NULL inside objects.  Keys and string
 * values are escaped with json_escape(); they are read during the call
 * only.
 */
void json_obj_open(struct json_writer *w, const char *key);
void json_obj_close(struct json_writer *w);
void json_arr_open(struct json_writer *w, const char *key);
void json_arr_close(struct json_writer *w);

/* A string; val NULL writes null. */
void json_str(struct json_writer *w, const char *key, const char *val);
/* A string of len bytes (may hold NULs, written as \u0000); val NULL writes null. */
void json_strn(struct json_writer *w, const char *key, const char *val, size_t len);
void json_int(struct json_writer *w, const char *key, long long v);
void json_bool(struct json_writer *w, const char *key, bool v);
void json_null(struct json_writer *w, const char *key);
/*
 * A value already serialised as JSON (e.g. a stored document), copied
 * verbatim: the caller vouches that it is one valid JSON value.  NULL
 * writes null.
 */
void json_raw(struct json_writer *w, const char *key, const char *json);

/*
 * Appends s[0..len) as a quoted JSON string.  Escapes '"', '\\', every
 * control character (\b \f \n \r \t, otherwise \u00XX), '<' '>' '&'
 * (\u003c \u003e \u0026), U+2028 and U+2029.  Bytes that are not valid
 * UTF-8 are written as \ufffd, so the output is always valid UTF-8.
 */
void json_escape(struct buf *out, const char *s, size_t len);

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_value {
	enum json_type type;
	const char *key;		/* member name when inside an object, else NULL */
	const char *str;		/* STRING: decoded UTF-8, NUL-terminated; NUMBER: the literal text */
	size_t len;			/* STRING: decoded byte length; NUMBER: literal length */
	bool boolean;			/* BOOL */
	struct json_value *child;	/* ARRAY/OBJECT: first element, in document order */
	struct json_value *next;	/* next sibling */
	size_t count;			/* ARRAY/OBJECT: number of children */
};

/*
 * Parses exactly len bytes of text (which needs no NUL terminator) as one
 * JSON value, with only whitespace around it.  Strings must be valid UTF-8
 * and contain no NUL (neither raw nor \u0000), so str is a C string and
 * keys compare with strcmp(); \u escapes are decoded, surrogate pairs
 * joined, lone surrogates rejected.  Numbers follow the RFC grammar
 * exactly ("01", "1.", ".5", "+1" are errors) and are kept as text.
 * Nesting deeper than JSON_PARSE_MAX_DEPTH and duplicate member names in
 * one object are errors.
 *
 * Returns the root, allocated (like every node and string) in a; it lives
 * as long as the arena.  On error returns NULL and, if err is not NULL,
 * sets *err to a short English message ending with the byte offset, such
 * as "unexpected character at offset 12", also allocated in a.  On
 * success *err is set to NULL.  Never logs: bad input is the client's.
 */
struct json_value *json_parse(struct arena *a, const char *text, size_t len, const char **err);

/* The member named key of an OBJECT, or NULL (also if obj is not an object or is NULL). */
const struct json_value *json_get(const struct json_value *obj, const char *key);

/*
 * Stores in *out the value of a NUMBER written as a plain integer (no
 * fraction, no exponent) that fits in a long long and returns 0;
 * returns -1, leaving *out alone, for anything else (NULL included).
 */
int json_get_int(const struct json_value *v, long long *out);

#endif
