/*
 * response.h - the responses handlers build: pages, redirects, JSON,
 * errors and plain text.
 *
 * Each function fills req's status, content type, body and headers (see
 * struct request in request.h); everything it allocates lives in
 * req->arena or req->body, so nothing here needs freeing.  The ones
 * returning int return the status they set, for a handler's last line.
 */
#ifndef PORTAL_RESPONSE_H
#define PORTAL_RESPONSE_H

#include "compat.h"

#include "request.h"

struct tmpl_ctx;

/* Adds a response header; name and value are copied into the arena. */
void response_header(struct request *req, const char *name, const char *value);

/*
 * 303 See Other to a local path.  Anything else ("//host", a backslash, a
 * control character, NULL) redirects to "/" instead, so an attacker-chosen
 * "next" cannot send users to another site.  Empties the body.
 */
int response_redirect(struct request *req, const char *path);

/*
 * Renders view (e.g. "portal/error") into the layout and sets status; ctx
 * may be NULL.  The layout receives the page title (key "title" of ctx),
 * the user and the CSRF token.  Returns status, or 500 if rendering
 * failed.
 */
int response_page(struct request *req, int status, const char *view, struct tmpl_ctx *ctx);

/* A new template context prefilled with what every page uses (user, csrf, portal name). */
struct tmpl_ctx *response_ctx(struct request *req, const char *title);

/*
 * Puts the submitted form into ctx for re-rendering: "form.<name>" holds
 * what was sent (never for FIELD_RAW fields such as passwords, and only if
 * it is valid UTF-8), "errors.<name>" each field's message, and the list
 * "error_list" (field, message) for the summary at the top of the form.
 * Returns the "form" object, for defaults the handler adds.
 */
struct tmpl_ctx *response_form(struct request *req, struct tmpl_ctx *ctx);

/*
 * Marks the route field name as wrong with message (static or in the
 * arena), as the validators do, for rules they cannot check (cross-field
 * rules, a name already taken); response_form() then shows it.  The first
 * message of a field wins.  An undeclared name is a programming error and
 * is ignored.
 */
void response_field_error(struct request *req, const char *name, const char *message);

/*
 * The message that marks the route field name as wrong (a validator's or
 * one given to response_field_error()), or NULL when it is valid, was not
 * validated yet, or is not declared by the route.  The string lives in
 * the request's arena or is static.
 */
const char *response_field_message(const struct request *req, const char *name);

/* JSON body already written into req->body: sets status and type application/json. */
int response_json(struct request *req, int status);

/* JSON error {"error":{"code","message"}}. */
int response_json_error(struct request *req, int status, const char *code, const char *message);

/* An error page (HTML) or JSON error, according to the route. */
int response_error(struct request *req, int status, const char *message);

/* 503 with Retry-After: the portal is too busy for this request now. */
int response_busy(struct request *req);

/*
 * A 200 whose body comes from read(state) as it is sent (see struct
 * request_stream); content_type is a static string.  Takes state: done
 * frees it even if the response is never sent.
 */
int response_stream(struct request *req, const char *content_type,
		    ssize_t (*read)(void *state, char *out, size_t max),
		    void (*done)(void *state), void *state);

/* Sets status and content_type (a static string) and the body to a copy of text. */
int response_text(struct request *req, int status, const char *content_type, const char *text);

/*
 * Messages shown after a redirect: the handler that redirects adds
 * "?esito=<code>", and the page it lands on looks the code up in its own
 * fixed table.  Routes declare RESPONSE_NOTICE_FIELD to receive the code.
 */
struct response_notice {
	const char *code;
	const char *text;
};

#define RESPONSE_NOTICE_FIELD { "esito", FIELD_QUERY, VALID_TOKEN, 1, 40, NULL, 0, "Esito" }

/* Sets "notice" in ctx to the text of the code the request carries; an
 * unknown or absent code shows nothing (the URL cannot inject text). */
void response_notice(struct request *req, struct tmpl_ctx *ctx,
		     const struct response_notice *notices, size_t n);

#endif
