/*
 * role.c - role names (see role.h).
 */
#include "compat.h"

#include <string.h>

#include "role.h"

static const struct {
	const char *name;
	const char *label;
} role_table[] = {
	{ "operatore", "Operatore" },
	{ "referente", "Referente pilota" },
	{ "tutor", "Tutor" },
	{ "formatore", "Formatore" },
	{ "helpdesk1", "Help desk, primo livello" },
	{ "helpdesk2", "Help desk, secondo livello" },
	{ "coordinamento", "Coordinamento" },
	{ "admin", "Amministratore" },
};

/* One row per ROLE_* bit, in bit order, the last one being ROLE_ADMIN. */
_Static_assert(ARRAY_SIZE(role_table) == ROLE_COUNT, "role_table needs ROLE_COUNT rows");
_Static_assert(ROLE_ADMIN == 1u << (ROLE_COUNT - 1), "ROLE_COUNT must follow the last role");

const char *
role_name(int i)
{
	return i >= 0 && i < ROLE_COUNT ? role_table[i].name : NULL;
}

const char *
role_label(int i)
{
	return i >= 0 && i < ROLE_COUNT ? role_table[i].label : NULL;
}

unsigned
role_from_name(const char *name)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		if (strcmp(name, role_table[i].name) == 0)
			return 1u << i;
	return 0;
}

unsigned
role_parse_array(const char *literal)
{
	unsigned mask = 0;
	const char *p = literal;

	if (p == NULL || *p++ != '{')
		return 0;
	while (*p != '\0' && *p != '}') {
		size_t n = strcspn(p, ",}");
		for (int i = 0; i < ROLE_COUNT; i++)
			if (strlen(role_table[i].name) == n && memcmp(p, role_table[i].name, n) == 0)
				mask |= 1u << i;
		p += n;
		if (*p == ',')
			p++;
	}
	return mask;
}

void
role_format_array(unsigned mask, struct buf *out)
{
	bool first = true;

	buf_addch(out, '{');
	for (int i = 0; i < ROLE_COUNT; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (!first)
			buf_addch(out, ',');
		buf_adds(out, role_table[i].name);
		first = false;
	}
	buf_addch(out, '}');
}
