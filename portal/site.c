/*
 * site.c - home, accessibility statement, probes, metrics, OpenAPI (see site.h).
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "mail.h"
#include "metrics.h"
#include "response.h"
#include "router.h"
#include "site.h"
#include "static.h"
#include "tmpl.h"

/* The OpenAPI document, read once at start-up and served as it is. */
#define SITE_OPENAPI_MAX ((size_t)4 << 20)

static char *site_openapi;
static size_t site_openapi_len;

/* GET /: 200 */
static int
site_home(struct request *req)
{
	return response_page(req, 200, "portal/home", response_ctx(req, NULL));
}

/* GET /accessibilita: 200 (the accessibility statement the footer links to) */
static int
site_accessibility(struct request *req)
{
	return response_page(req, 200, "portal/accessibility",
			     response_ctx(req, "Dichiarazione di accessibilità"));
}

/* GET /healthz: 200 while the process serves; needs no database. */
static int
site_healthz(struct request *req)
{
	return response_text(req, 200, "text/plain; charset=utf-8", "ok\n");
}

/* GET /readyz: 200 when the database answers, else 503. */
static int
site_readyz(struct request *req)
{
	struct db *db = http_thread_db();

	if (db_ping(db) == -1)
		return response_text(req, 503, "text/plain; charset=utf-8", "database unavailable\n");
	return response_text(req, 200, "text/plain; charset=utf-8", "ready\n");
}

/*
 * GET /metrics: 200, Prometheus text; 403 unless the peer is this host
 * (Prometheus scrapes through the local proxy or an agent), since route
 * counts and pool state are nobody else's business.  The outbox gauge is
 * left out while the database is down.
 */
static int
site_metrics(struct request *req)
{
	struct db *db = http_thread_db();
	int64_t depth;

	if (!req->peer_local)
		return response_text(req, 403, "text/plain; charset=utf-8", "forbidden\n");
	depth = db_ready(db) == 0 ? mail_outbox_depth(db, req->arena) : -1;
	buf_reset(&req->body);
	metrics_render(&req->body, depth);
	req->content_type = "text/plain; version=0.0.4; charset=utf-8";
	return req->status = 200;
}

/* GET /api/v1/openapi.json: 200 */
static int
site_openapi_doc(struct request *req)
{
	req->static_body = site_openapi;
	req->static_len = site_openapi_len;
	req->content_type = "application/json";
	return req->status = 200;
}

static const struct route site_routes[] = {
	{ METHOD_GET, "/", site_home, ROLE_PUBLIC, 0, NULL, 0, "site.home" },
	{ METHOD_GET, "/accessibilita", site_accessibility, ROLE_PUBLIC, 0, NULL, 0, "site.accessibility" },
	{ METHOD_GET, "/healthz", site_healthz, ROLE_PUBLIC, ROUTE_NO_DB, NULL, 0, "site.healthz" },
	{ METHOD_GET, "/readyz", site_readyz, ROLE_PUBLIC, ROUTE_NO_DB, NULL, 0, "site.readyz" },
	{ METHOD_GET, "/metrics", site_metrics, ROLE_PUBLIC, ROUTE_NO_DB, NULL, 0, "site.metrics" },
	{ METHOD_GET, "/api/v1/openapi.json", site_openapi_doc, ROLE_PUBLIC, ROUTE_API | ROUTE_NO_DB,
	  NULL, 0, "api.openapi" },
	{ METHOD_GET, "/assets/{path*}", static_serve, ROLE_PUBLIC, ROUTE_NO_DB | ROUTE_STATIC,
	  NULL, 0, "site.assets" },
};

int
site_register(struct router *r, const struct config *cfg)
{
	char path[4096];
	struct buf b;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/portal/openapi.json", cfg->views_dir);
	buf_init(&b, SITE_OPENAPI_MAX);
	/* A truncated document would be served as if whole: refuse to start. */
	if (buf_read_file(&b, path) == -1) {
		if (b.err)
			log_warnx("openapi document \"%s\": larger than %zu bytes", path,
				  SITE_OPENAPI_MAX);
		else
			log_warn("openapi document \"%s\"", path);
		goto out;
	}
	site_openapi = buf_detach(&b, &site_openapi_len);
	router_add(r, site_routes, ARRAY_SIZE(site_routes));
	rc = 0;
out:
	buf_release(&b);
	return rc;
}
