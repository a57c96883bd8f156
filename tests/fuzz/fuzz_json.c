/*
 * fuzz_json.c - libFuzzer target: json_parse() on arbitrary bytes must
 * never crash, leak or read out of bounds, and what it accepts must
 * survive a write and a second parse.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	const char *err = NULL;
	struct json_value *v = json_parse(a, (const char *)data, size, &err);

	if (v == NULL && err == NULL)
		abort();	/* a failure always says why */
	if (v != NULL && v->type == JSON_STRING) {
		/* Strings the parser returns are valid UTF-8: escaping them
		 * and parsing again gives the same bytes. */
		struct buf b;
		buf_init(&b, 0);
		json_escape(&b, v->str, v->len);
		struct json_value *w = json_parse(a, b.data, b.len, &err);
		if (w == NULL || w->len != v->len || memcmp(w->str, v->str, v->len) != 0)
			abort();
		buf_release(&b);
	}
	arena_free(a);
	return 0;
}
