/*
 * fuzz_tmpl.c - libFuzzer target: the template parser and renderer on
 * arbitrary template text.  A text value holding markup must never come
 * out unescaped.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* How many of the characters escaping must neutralise are in s. */
static size_t
fuzz_specials(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '<' || *s == '>' || *s == '"' || *s == '\'';
	return n;
}

/* Renders the loaded template with the text values set to v; -1 on a render error. */
static long
fuzz_render(const char *v)
{
	struct arena *a = arena_new();
	struct tmpl_ctx *ctx = tmpl_ctx_new(a);
	struct buf out;
	long n = -1;

	tmpl_set(ctx, "x", v);
	tmpl_set_int(ctx, "n", 3);
	tmpl_set(tmpl_list_add(ctx, "items"), "x", v);
	tmpl_set(tmpl_list_add(ctx, "items"), "x", v);
	buf_init(&out, 1 << 20);
	if (tmpl_render("fuzz/t", ctx, &out) == 0)
		n = (long)fuzz_specials(out.data);
	buf_release(&out);
	arena_free(a);
	return n;
}

/*
 * Oracle: markup characters in the output come from the template alone.
 * Setting the values to markup instead of plain text (both non-empty, so
 * sections render alike) must not add a single one
 * of < > " ' (escaping turns them into entities made of & # ; letters).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (tmpl_load_string("fuzz/t", text) == 0) {
		long plain = fuzz_render("text"), markup = fuzz_render("<script>\"'&");
		if (plain != markup)
			abort();	/* a value escaped its escaping */
	}
	tmpl_free_all();
	free(text);
	return 0;
}
