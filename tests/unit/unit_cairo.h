/*
 * unit_cairo.h - shared by the unit tests that draw with cairo.
 */
#ifndef TESTS_UNIT_CAIRO_H
#define TESTS_UNIT_CAIRO_H

#include <dlfcn.h>
#include <string.h>

#include <cairo.h>

/*
 * Drops cairo's and fontconfig's caches so that the leak checker sees only
 * the test's own memory.  FcFini() is looked up at run time: fontconfig is
 * cairo's dependency, not one the portal links by name.
 */
static inline void
unit_cairo_reset(void)
{
	void (*fc_fini)(void) = NULL;
	void *sym;

	cairo_debug_reset_static_data();
	sym = dlsym(RTLD_DEFAULT, "FcFini");
	if (sym != NULL) {
		memcpy(&fc_fini, &sym, sizeof(fc_fini));
		fc_fini();
	}
}

#endif
