/*
 * internal.h - helpers shared between the core's own files and no one
 * else (kcgi's extern.h): features never include this header.
 */
#ifndef PORTAL_INTERNAL_H
#define PORTAL_INTERNAL_H

#include "compat.h"

#include <stdbool.h>
#include <stddef.h>

struct config;
struct field;
struct request;

/*
 * request.c: the configuration given to request_configure(), for
 * response.c (the portal name of every page).  Lives as long as the
 * process; NULL before request_configure().
 */
const struct config *request_config(void);

/*
 * request.c: the raw (undecoded, unvalidated) value of field f of req's
 * route, or NULL if absent; *len gets its length, which may count
 * embedded NULs.  The k-th path argument belongs to the k-th FIELD_PATH
 * field, so path_index is the number of FIELD_PATH fields before f.  API
 * bodies are read from the JSON object only; *wrong_type is set (and NULL
 * returned) when a JSON member has a type the field cannot take.  The
 * value is not copied: it lives at least as long as req.
 */
const char *request_raw_value(const struct request *req, const struct field *f, int path_index,
			      size_t *len, bool *wrong_type);

#endif
