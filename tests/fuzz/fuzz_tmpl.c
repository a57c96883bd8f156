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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct arena *a;
	struct tmpl_ctx *ctx;
	struct buf out;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (tmpl_load_string("fuzz/t", text) == 0) {
		a = arena_new();
		ctx = tmpl_ctx_new(a);
		tmpl_set(ctx, "x", "<script>\"'&");
		tmpl_set_int(ctx, "n", 3);
		tmpl_set(tmpl_list_add(ctx, "items"), "x", "<b>");
		tmpl_set(tmpl_list_add(ctx, "items"), "x", "<i>");
		buf_init(&out, 1 << 20);
		if (tmpl_render("fuzz/t", ctx, &out) == 0 && strstr(out.data, "<script>\"") != NULL &&
		    strstr(text, "<script>\"") == NULL)
			abort();	/* the value escaped its escaping */
		buf_release(&out);
		arena_free(a);
	}
	tmpl_free_all();
	free(text);
	return 0;
}
