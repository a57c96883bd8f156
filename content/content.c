/*
 * content.c - the community feature's registration and demo content (see content.h).
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "blob.h"
#include "campaign.h"
#include "config.h"
#include "content.h"
#include "db.h"
#include "document.h"
#include "document_db.h"
#include "event.h"
#include "faq.h"
#include "helpdesk_stats.h"
#include "log.h"
#include "md.h"
#include "news.h"
#include "newsletter.h"
#include "sla.h"
#include "ticket.h"

void
content_register(struct router *r, const struct config *cfg)
{
	document_register(r);
	news_register(r, cfg);
	event_register(r, cfg);
	newsletter_register(r, cfg);
	campaign_register(r);
	ticket_register(r, cfg);
	faq_register(r, cfg);
	helpdesk_stats_register(r);
	/* The config checked these values already: a failure here is a bug. */
	if (sla_configure(cfg) == -1)
		fatalx("help desk calendar: the configuration does not load");
}

/* The kit's assets: slot, file made by scripts/kit.sh, title, description. */
static const struct {
	const char *slot, *file, *title, *description;
} content_kit[] = {
	{ "logo", "logo.svg", "Logo (SVG)",
	  "Il logo nella versione a colori su fondo chiaro, vettoriale: per la stampa e il web." },
	{ "logo-png", "logo.png", "Logo (PNG)",
	  "Il logo a colori su fondo chiaro, immagine larga 1200 pixel: per documenti e presentazioni." },
	{ "logo-negativo", "logo-negativo.svg", "Logo negativo (SVG)",
	  "Il logo in bianco su fondo blu scuro, vettoriale." },
	{ "logo-negativo-png", "logo-negativo.png", "Logo negativo (PNG)",
	  "Il logo in bianco su fondo blu scuro, immagine larga 1200 pixel." },
	{ "modello-presentazione", "modello-presentazione.odp", "Modello di presentazione",
	  "Il modello per le diapositive (OpenDocument, si apre con LibreOffice Impress e PowerPoint): "
	  "titolo, contenuto, chiusura." },
	{ "foglio-firme", "foglio-firme.odt", "Foglio firme",
	  "Il foglio presenze degli incontri di formazione, da stampare: evento, data, luogo, docente "
	  "e venti righe per le firme di entrata e di uscita." },
	{ "volantino", "volantino-helpdesk.pdf", "Volantino dell'help desk",
	  "Il volantino A4 che presenta l'help desk e come aprire una segnalazione dal portale." },
	{ "brochure", "brochure.pdf", "Brochure",
	  "La brochure a tre ante sul portale di formazione e comunità (fronte e retro, A4 orizzontale)." },
	{ "comunicato", "comunicato-standard.txt", "Comunicato stampa standard",
	  "Il comunicato da adattare e inviare: sostituisci le parti tra parentesi quadre." },
};

static const struct db_stmt content_kit_slot_stmt = {
	"content_kit_slot", "SELECT count(*) FROM documents WHERE kit_slot = $1", 1
};

/* Stores the file at path as the document of one kit slot, in one transaction. */
static int
content_kit_load(const char *path, const char *name, struct document_edit *e)
{
	struct blob_upload *u = NULL;
	const struct blob_file *f;
	const char *msg = NULL;
	struct arena *a = arena_new();
	char buf[64 * 1024];
	int fd, rc = -1;
	int64_t id;
	ssize_t n;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("seed: %s", path);
		goto out;
	}
	if (blob_upload_begin(name, &u, &msg) != 0)
		goto out;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (blob_upload_write(u, buf, (size_t)n, &msg) != 0)
			goto out;
	if (n == -1) {
		log_warn("seed: %s", path);
		goto out;
	}
	if (blob_upload_finish(u, a, &f, &msg) != 0 ||
	    document_db_create(blob_upload_db(u), e, f, "File predefinito del kit", 0, &id) == -1 ||
	    db_commit(blob_upload_db(u)) == -1)
		goto out;
	rc = 0;
out:
	if (msg != NULL)
		log_warnx("seed: %s: %s", path, msg);
	if (fd != -1)
		close(fd);
	blob_upload_free(u);
	arena_free(a);
	return rc;
}

int
content_seed_demo(struct db *db, const struct config *cfg)
{
	int64_t folder = document_db_kit_folder(db);
	char path[4096];
	struct buf html;
	int rc = -1;

	if (folder == -1)
		return -1;
	buf_init(&html, 64 * 1024);
	for (size_t i = 0; i < ARRAY_SIZE(content_kit); i++) {
		const char *params[1] = { content_kit[i].slot };
		struct document_edit e = { 0 };
		int64_t have = db_query_int(db, &content_kit_slot_stmt, params);

		if (have == -1)
			goto out;
		if (have > 0)
			continue;
		snprintf(path, sizeof(path), "%s/kit/%s", cfg->assets_dir, content_kit[i].file);
		buf_reset(&html);
		if (md_render(content_kit[i].description, strlen(content_kit[i].description), &html) == -1)
			goto out;
		e.folder_id = folder;
		e.title = content_kit[i].title;
		e.description = content_kit[i].description;
		e.description_html = html.data;
		e.tags = "{\"kit di comunicazione\"}";
		e.visibility = "public";
		e.roles = "{}";
		e.orgs = "{}";
		e.kit_slot = content_kit[i].slot;
		if (content_kit_load(path, content_kit[i].file, &e) == -1)
			goto out;
	}
	if (news_seed_demo(db) == -1 || event_seed_demo(db) == -1 || campaign_seed_demo(db) == -1 ||
	    ticket_seed_demo(db) == -1 || faq_seed_demo(db) == -1)
		goto out;
	rc = 0;
out:
	buf_release(&html);
	return rc;
}
