/*
 * fuzz_form.c - libFuzzer target: the declarative validators on arbitrary
 * bytes, for every kind of field.  A value they accept must be valid UTF-8
 * without controls, within its bounds.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "valid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const choices[] = { "a", "bb", "àè", NULL };

static const struct field fields[] = {
	{ "t", FIELD_BODY, VALID_TEXT, 1, 20, NULL, FIELD_REQUIRED, "Testo" },
	{ "m", FIELD_BODY, VALID_TEXT, 0, 200, NULL, FIELD_MULTILINE, "Note" },
	{ "p", FIELD_BODY, VALID_TEXT, 10, 200, NULL, FIELD_RAW, "Password" },
	{ "i", FIELD_BODY, VALID_INT, -5, 1000000, NULL, 0, "Numero" },
	{ "e", FIELD_BODY, VALID_EMAIL, 0, 0, NULL, 0, "Email" },
	{ "d", FIELD_BODY, VALID_DATE, 0, 0, NULL, 0, "Data" },
	{ "c", FIELD_BODY, VALID_ENUM, 0, 0, choices, 0, "Scelta" },
	{ "b", FIELD_BODY, VALID_BOOL, 0, 0, NULL, 0, "Sì/no" },
	{ "k", FIELD_BODY, VALID_TOKEN, 43, 43, NULL, 0, "Codice" },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		const struct field *f = &fields[i];
		struct field_value v;
		const char *msg = NULL;

		if (valid_field(f, (const char *)data, size, a, &v, &msg) == -1) {
			if (msg == NULL)
				abort();	/* a refusal always has a message */
			continue;
		}
		if (v.present && f->kind == VALID_TEXT) {
			size_t chars = valid_utf8_length(v.str, v.len);
			if (!valid_utf8(v.str, v.len) || chars > (size_t)f->max ||
			    chars < (size_t)f->min || strlen(v.str) != v.len)
				abort();
		}
		if (v.present && f->kind == VALID_INT && (v.num < f->min || v.num > f->max))
			abort();
	}
	arena_free(a);
	return 0;
}
