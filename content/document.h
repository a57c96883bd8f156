/*
 * document.h - the reserved document area and the communication kit's
 * page: folders, documents with versions, downloads, search, the bin;
 * pages under /documenti and /kit, files under /documents, JSON under
 * /api/v1/documents, /api/v1/folders and /api/v1/kit.
 */
#ifndef CONTENT_DOCUMENT_H
#define CONTENT_DOCUMENT_H

#include "compat.h"

struct router;

/* Adds the routes and the text extraction job (before the mail sender starts). */
void document_register(struct router *r);

#endif
