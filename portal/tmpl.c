/*
 * tmpl.c - Mustache-like templates (see tmpl.h).
 *
 * A template is parsed once into a flat array of nodes.  A section node
 * records the index just past its body, so rendering is a loop over the
 * array that recurses only into section bodies and partials; text and tag
 * names point into the template's own copy of its source, and the context
 * stack lives in frames on the C stack, so a render allocates nothing but
 * the output buffer's growth.
 *
 * The registry is an open-addressing hash table (linear probing, at most
 * half full) keyed by FNV-1a of the full name; partial nodes carry the
 * hash of the name they include, computed at parse time.
 */
#include "compat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "html.h"
#include "log.h"
#include "tmpl.h"

/* ---- contexts ---------------------------------------------------------- */

enum tmpl_type {
	TMPL_T_NULL,		/* set with a NULL value: present but missing */
	TMPL_T_TEXT,
	TMPL_T_HTML,
	TMPL_T_INT,
	TMPL_T_BOOL,
	TMPL_T_OBJ,
	TMPL_T_LIST,
};

struct tmpl_var {
	struct tmpl_var *next;
	const char *key;
	size_t keylen;
	enum tmpl_type type;
	union {
		struct {
			const char *s;
			size_t len;
		} str;			/* TEXT, HTML */
		long long i;
		bool b;
		struct tmpl_ctx *obj;
		struct {
			struct tmpl_ctx *head, *tail;
		} list;
	} u;
};

struct tmpl_ctx {
	struct arena *arena;
	const struct tmpl_ctx *parent;
	struct tmpl_ctx *next;		/* next item of the list holding this one */
	struct tmpl_var *vars;
};

/* Stands in for a NULL context given to tmpl_render(); never written. */
static const struct tmpl_ctx tmpl_empty_ctx;

struct tmpl_ctx *
tmpl_ctx_new(struct arena *a)
{
	struct tmpl_ctx *c;

	c = arena_alloc(a, sizeof(*c));
	c->arena = a;
	return c;
}

/* The variable for key in c's own map, created empty if absent. */
static struct tmpl_var *
tmpl_slot(struct tmpl_ctx *c, const char *key)
{
	size_t len = strlen(key);
	struct tmpl_var *v;

	for (v = c->vars; v != NULL; v = v->next)
		if (v->keylen == len && memcmp(v->key, key, len) == 0)
			return v;
	v = arena_alloc(c->arena, sizeof(*v));
	v->key = key;
	v->keylen = len;
	v->next = c->vars;
	c->vars = v;
	return v;
}

static void
tmpl_set_str(struct tmpl_ctx *c, const char *key, const char *s, enum tmpl_type type)
{
	struct tmpl_var *v = tmpl_slot(c, key);

	if (s == NULL) {
		v->type = TMPL_T_NULL;
		return;
	}
	v->type = type;
	v->u.str.s = s;
	v->u.str.len = strlen(s);
}

void
tmpl_set(struct tmpl_ctx *c, const char *key, const char *value)
{
	tmpl_set_str(c, key, value, TMPL_T_TEXT);
}

void
tmpl_setf(struct tmpl_ctx *c, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = arena_vprintf(c->arena, fmt, ap);
	va_end(ap);
	tmpl_set_str(c, key, s, TMPL_T_TEXT);
}

void
tmpl_set_html(struct tmpl_ctx *c, const char *key, const char *html)
{
	tmpl_set_str(c, key, html, TMPL_T_HTML);
}

void
tmpl_set_int(struct tmpl_ctx *c, const char *key, long long v)
{
	struct tmpl_var *var = tmpl_slot(c, key);

	var->type = TMPL_T_INT;
	var->u.i = v;
}

void
tmpl_set_bool(struct tmpl_ctx *c, const char *key, bool v)
{
	struct tmpl_var *var = tmpl_slot(c, key);

	var->type = TMPL_T_BOOL;
	var->u.b = v;
}

static struct tmpl_ctx *
tmpl_child(struct tmpl_ctx *c)
{
	struct tmpl_ctx *child = tmpl_ctx_new(c->arena);

	child->parent = c;
	return child;
}

struct tmpl_ctx *
tmpl_set_obj(struct tmpl_ctx *c, const char *key)
{
	struct tmpl_var *v = tmpl_slot(c, key);

	v->type = TMPL_T_OBJ;
	v->u.obj = tmpl_child(c);
	return v->u.obj;
}

struct tmpl_ctx *
tmpl_list_add(struct tmpl_ctx *c, const char *key)
{
	struct tmpl_var *v = tmpl_slot(c, key);
	struct tmpl_ctx *item = tmpl_child(c);

	if (v->type != TMPL_T_LIST) {
		v->type = TMPL_T_LIST;
		v->u.list.head = item;
	} else
		v->u.list.tail->next = item;
	v->u.list.tail = item;
	return item;
}

/* ---- templates and the registry ---------------------------------------- */

enum tmpl_node_kind {
	TMPL_N_TEXT,
	TMPL_N_VAR,
	TMPL_N_SECTION,
	TMPL_N_INVERTED,
	TMPL_N_PARTIAL,
};

struct tmpl_node {
	enum tmpl_node_kind kind;
	unsigned line;
	const char *str;	/* text, or tag name; not NUL-terminated */
	size_t len;
	size_t end;		/* sections: index of the node after the body */
	uint32_t hash;		/* partials: tmpl_hash() of the name */
};

struct tmpl {
	char *name;
	size_t namelen;
	uint32_t hash;
	char *src;		/* the source; nodes point into it */
	struct tmpl_node *nodes;
	size_t nnodes;
	size_t cap;
};

static struct tmpl **tmpl_slots;	/* NULL or a power-of-two table */
static size_t tmpl_nslots;
static size_t tmpl_count;

/* FNV-1a, 32 bits: names are short, and this is only a table index. */
static uint32_t
tmpl_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static const struct tmpl *
tmpl_find(const char *name, size_t len, uint32_t hash)
{
	const struct tmpl *t;
	size_t i, mask;

	if (tmpl_nslots == 0)
		return NULL;
	mask = tmpl_nslots - 1;
	for (i = hash & mask; (t = tmpl_slots[i]) != NULL; i = (i + 1) & mask)
		if (t->hash == hash && t->namelen == len &&
		    memcmp(t->name, name, len) == 0)
			return t;
	return NULL;
}

static void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->src);
	free(t->nodes);
	free(t);
}

/* Puts t in a table of nslots slots (known to have a free one). */
static void
tmpl_place(struct tmpl **slots, size_t nslots, struct tmpl *t)
{
	size_t i, mask = nslots - 1;

	for (i = t->hash & mask; slots[i] != NULL; i = (i + 1) & mask)
		;
	slots[i] = t;
}

/* Adds t to the registry (which owns it from now on), replacing a
 * template of the same name. */
static void
tmpl_register(struct tmpl *t)
{
	struct tmpl **slots;
	size_t i, n, mask;

	if (tmpl_nslots != 0) {
		mask = tmpl_nslots - 1;
		for (i = t->hash & mask; tmpl_slots[i] != NULL; i = (i + 1) & mask) {
			if (tmpl_slots[i]->namelen == t->namelen &&
			    memcmp(tmpl_slots[i]->name, t->name, t->namelen) == 0) {
				tmpl_free(tmpl_slots[i]);
				tmpl_slots[i] = t;
				return;
			}
		}
	}
	/* Keep the table at most half full so probe runs stay short. */
	if ((tmpl_count + 1) * 2 > tmpl_nslots) {
		n = tmpl_nslots ? tmpl_nslots * 2 : 64;
		slots = calloc(n, sizeof(*slots));
		if (slots == NULL)
			log_oom(n * sizeof(*slots));
		for (i = 0; i < tmpl_nslots; i++)
			if (tmpl_slots[i] != NULL)
				tmpl_place(slots, n, tmpl_slots[i]);
		free(tmpl_slots);
		tmpl_slots = slots;
		tmpl_nslots = n;
	}
	tmpl_place(tmpl_slots, tmpl_nslots, t);
	tmpl_count++;
}

void
tmpl_free_all(void)
{
	size_t i;

	for (i = 0; i < tmpl_nslots; i++)
		tmpl_free(tmpl_slots[i]);
	free(tmpl_slots);
	tmpl_slots = NULL;
	tmpl_nslots = 0;
	tmpl_count = 0;
}

bool
tmpl_exists(const char *name)
{
	size_t len = strlen(name);

	return tmpl_find(name, len, tmpl_hash(name, len)) != NULL;
}

/* ---- parser ------------------------------------------------------------ */

struct tmpl_parser {
	const char *file;	/* for messages */
	struct tmpl *t;
	unsigned line;		/* line number at lpos */
	const char *lpos;
	size_t open[TMPL_MAX_NESTING];	/* node indexes of open sections */
	size_t nopen;
};

/* Line of pos; positions must be asked for in increasing order. */
static unsigned
tmpl_line_at(struct tmpl_parser *p, const char *pos)
{
	for (; p->lpos < pos; p->lpos++)
		if (*p->lpos == '\n')
			p->line++;
	return p->line;
}

static void tmpl_parse_error(const struct tmpl_parser *p, unsigned line,
		const char *fmt, ...) PORTAL_PRINTF(3, 4);

/* Logs "file:line: reason". */
static void
tmpl_parse_error(const struct tmpl_parser *p, unsigned line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s:%u: %s", p->file, line, msg);
}

static struct tmpl_node *
tmpl_node_add(struct tmpl *t, enum tmpl_node_kind kind, unsigned line,
		const char *str, size_t len)
{
	struct tmpl_node *n;
	size_t cap;

	if (t->nnodes == t->cap) {
		cap = t->cap ? t->cap * 2 : 32;
		if (cap > SIZE_MAX / sizeof(*n))
			log_oom(SIZE_MAX);
		n = realloc(t->nodes, cap * sizeof(*n));
		if (n == NULL)
			log_oom(cap * sizeof(*n));
		t->nodes = n;
		t->cap = cap;
	}
	n = &t->nodes[t->nnodes++];
	n->kind = kind;
	n->line = line;
	n->str = str;
	n->len = len;
	n->end = 0;
	n->hash = 0;
	return n;
}

static bool
tmpl_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
tmpl_is_name_char(char c, bool partial)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
	    (partial && c == '/');
}

/* NULL if name is valid, else why not. */
static const char *
tmpl_check_name(const char *name, size_t len, bool partial)
{
	size_t i;

	if (len == 0)
		return "empty tag name";
	for (i = 0; i < len; i++)
		if (!tmpl_is_name_char(name[i], partial))
			return "invalid character in tag name";
	/* Dotted lookups need every segment; partial names are paths. */
	if (!partial && (name[0] == '.' || name[len - 1] == '.' ||
	    memmem(name, len, "..", 2) != NULL))
		return "empty segment in dotted tag name";
	return NULL;
}

/* The "}}" closing a tag that starts at s; NULL if the line (or, for a
 * comment, the source) ends first. */
static const char *
tmpl_tag_close(const char *s, bool comment)
{
	if (comment)
		return strstr(s, "}}");
	for (; *s != '\0' && *s != '\n'; s++)
		if (s[0] == '}' && s[1] == '}')
			return s;
	return NULL;
}

/*
 * If the tag [open, after) is alone on its line, returns where the line's
 * leading blanks start (through *ls) and where the next line starts
 * (returned); otherwise returns NULL.  text is where the pending text
 * starts: a blank run reaching back before it means another tag shares
 * the line.
 */
static const char *
tmpl_standalone(const char *src, const char *text, const char *open,
		const char *after, const char **ls)
{
	const char *b = open, *e = after;

	while (b > text && tmpl_is_blank(b[-1]))
		b--;
	if (b != src && b[-1] != '\n')
		return NULL;
	while (tmpl_is_blank(*e))
		e++;
	if (e[0] == '\r' && e[1] == '\n')
		e += 2;
	else if (e[0] == '\n')
		e++;
	else if (e[0] != '\0')
		return NULL;
	*ls = b;
	return e;
}

/* Parses t->src into t->nodes; logs and returns -1 on the first error. */
static int
tmpl_parse(struct tmpl_parser *p)
{
	struct tmpl *t = p->t;
	const char *src = t->src, *text = src, *open, *body, *close, *after;
	const char *name, *nend, *ls, *next, *why;
	struct tmpl_node *n, *top;
	unsigned line;
	char kind;

	for (;;) {
		if ((open = strstr(text, "{{")) == NULL) {
			if (*text != '\0')
				tmpl_node_add(t, TMPL_N_TEXT, 0, text, strlen(text));
			break;
		}
		line = tmpl_line_at(p, open);
		body = open + 2;
		kind = *body;
		if (kind == '{') {
			tmpl_parse_error(p, line, "triple mustache \"{{{\" is not supported");
			return -1;
		}
		if (kind != '\0' && strchr("#^/>!", kind) != NULL)
			body++;
		else if (kind > ' ' && kind < 0x7f && kind != '}' &&
		    !tmpl_is_name_char(kind, false)) {
			tmpl_parse_error(p, line, "unknown tag kind '%c'", kind);
			return -1;
		} else
			kind = 'v';
		if ((close = tmpl_tag_close(body, kind == '!')) == NULL) {
			tmpl_parse_error(p, line, "unclosed tag");
			return -1;
		}
		after = close + 2;

		name = nend = NULL;
		if (kind != '!') {
			for (name = body; tmpl_is_blank(*name); name++)
				;
			for (nend = name; nend < close && !tmpl_is_blank(*nend); nend++)
				;
			for (next = nend; tmpl_is_blank(*next); next++)
				;
			why = next != close ? "invalid character in tag name" :
			    tmpl_check_name(name, (size_t)(nend - name), kind == '>');
			if (why != NULL) {
				tmpl_parse_error(p, line, "%s \"%.*s\"", why,
				    (int)(close - body), body);
				return -1;
			}
		}

		/* A standalone tag takes its whole line with it. */
		ls = open;
		next = after;
		if (kind != 'v') {
			next = tmpl_standalone(src, text, open, after, &ls);
			if (next == NULL) {
				ls = open;
				next = after;
			}
		}
		if (ls > text)
			tmpl_node_add(t, TMPL_N_TEXT, 0, text, (size_t)(ls - text));
		text = next;

		switch (kind) {
		case 'v':
			tmpl_node_add(t, TMPL_N_VAR, line, name, (size_t)(nend - name));
			break;
		case '#':
		case '^':
			if (p->nopen == TMPL_MAX_NESTING) {
				tmpl_parse_error(p, line, "sections nested deeper than %d",
				    TMPL_MAX_NESTING);
				return -1;
			}
			p->open[p->nopen++] = t->nnodes;
			tmpl_node_add(t, kind == '#' ? TMPL_N_SECTION : TMPL_N_INVERTED,
			    line, name, (size_t)(nend - name));
			break;
		case '/':
			if (p->nopen == 0) {
				tmpl_parse_error(p, line, "closing tag \"%.*s\" without an open section",
				    (int)(nend - name), name);
				return -1;
			}
			top = &t->nodes[p->open[p->nopen - 1]];
			if (top->len != (size_t)(nend - name) ||
			    memcmp(top->str, name, top->len) != 0) {
				tmpl_parse_error(p, line, "closing tag \"%.*s\" does not match "
				    "section \"%.*s\" opened at line %u", (int)(nend - name),
				    name, (int)top->len, top->str, top->line);
				return -1;
			}
			top->end = t->nnodes;
			p->nopen--;
			break;
		case '>':
			n = tmpl_node_add(t, TMPL_N_PARTIAL, line, name, (size_t)(nend - name));
			n->hash = tmpl_hash(n->str, n->len);
			break;
		default:	/* '!' */
			break;
		}
	}
	if (p->nopen > 0) {
		top = &t->nodes[p->open[p->nopen - 1]];
		tmpl_parse_error(p, top->line, "unclosed section \"%.*s\"",
		    (int)top->len, top->str);
		return -1;
	}
	return 0;
}

/*
 * Parses src (malloc'ed, NUL-terminated; ownership passes here, freed on
 * error) as template name, and registers it.  file names the source in
 * messages.
 */
static int
tmpl_load(const char *name, const char *file, char *src)
{
	struct tmpl_parser p;
	struct tmpl *t;
	size_t len = strlen(name);
	int rc = -1;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		log_oom(sizeof(*t));
	t->src = src;
	if ((t->name = malloc(len + 1)) == NULL)
		log_oom(len + 1);
	memcpy(t->name, name, len + 1);
	t->namelen = len;
	t->hash = tmpl_hash(name, len);

	if (len == 0) {
		log_warnx("%s: empty template name", file);
		goto out;
	}
	memset(&p, 0, sizeof(p));
	p.file = file;
	p.t = t;
	p.line = 1;
	p.lpos = src;
	if (tmpl_parse(&p) == -1)
		goto out;
	tmpl_register(t);
	t = NULL;
	rc = 0;
out:
	tmpl_free(t);
	return rc;
}

int
tmpl_load_string(const char *name, const char *text)
{
	size_t len = strlen(text);
	char *src;

	if ((src = malloc(len + 1)) == NULL)
		log_oom(len + 1);
	memcpy(src, text, len + 1);
	return tmpl_load(name, name, src);
}

/*
 * Reads the regular file path (at most TMPL_MAX_SIZE bytes) and loads it
 * as template name.  Returns 1 when path is not a regular file (skipped),
 * else as tmpl_load().
 */
static int
tmpl_load_file(const char *path, const char *name)
{
	struct stat st;
	char *src = NULL;
	size_t len = 0;
	ssize_t r;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("open \"%s\"", path);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		log_warn("fstat \"%s\"", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = 1;
		goto out;
	}
	if (st.st_size > TMPL_MAX_SIZE) {
		log_warnx("%s: template larger than %d bytes", path, TMPL_MAX_SIZE);
		goto out;
	}
	/* One byte more than the size says, to notice a file that grew. */
	if ((src = malloc((size_t)st.st_size + 2)) == NULL)
		log_oom((size_t)st.st_size + 2);
	while (len < (size_t)st.st_size + 1) {
		r = read(fd, src + len, (size_t)st.st_size + 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			log_warn("read \"%s\"", path);
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > (size_t)st.st_size) {
		log_warnx("%s: file changed while being read", path);
		goto out;
	}
	src[len] = '\0';
	if (memchr(src, '\0', len) != NULL) {
		log_warnx("%s: NUL byte in template", path);
		goto out;
	}
	rc = tmpl_load(name, path, src);
	src = NULL;
out:
	free(src);
	close(fd);
	return rc;
}

int
tmpl_load_dir(const char *dir, const char *prefix)
{
	struct buf path, name;
	struct dirent *de;
	size_t len;
	DIR *d;
	int rc = 0;

	if ((d = opendir(dir)) == NULL) {
		log_warn("opendir \"%s\"", dir);
		return -1;
	}
	buf_init(&path, 0);
	buf_init(&name, 0);
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0) {
				log_warn("readdir \"%s\"", dir);
				rc = -1;
			}
			break;
		}
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 5 ||
		    strcmp(de->d_name + len - 5, ".html") != 0)
			continue;
		buf_reset(&path);
		buf_reset(&name);
		buf_printf(&path, "%s/%s", dir, de->d_name);
		if (prefix != NULL && prefix[0] != '\0')
			buf_printf(&name, "%s/", prefix);
		buf_add(&name, de->d_name, len - 5);
		if (path.err || name.err) {
			log_warnx("%s/%s: path too long", dir, de->d_name);
			rc = -1;
			continue;
		}
		if (tmpl_load_file(path.data, name.data) == -1)
			rc = -1;
	}
	buf_release(&path);
	buf_release(&name);
	closedir(d);
	return rc;
}

/* ---- rendering --------------------------------------------------------- */

/* One level of the context stack; frames live on the C stack. */
struct tmpl_frame {
	const struct tmpl_ctx *ctx;
	const struct tmpl_frame *down;	/* NULL for the context given to render */
};

static const struct tmpl_var *
tmpl_ctx_find(const struct tmpl_ctx *c, const char *key, size_t len)
{
	const struct tmpl_var *v;

	for (v = c->vars; v != NULL; v = v->next)
		if (v->keylen == len && memcmp(v->key, key, len) == 0)
			return v;
	return NULL;
}

/*
 * Mustache lookup: the first segment of name through the stack, innermost
 * first, then the parents of the bottom context; each further segment in
 * the previous one's object only.
 */
static const struct tmpl_var *
tmpl_lookup(const struct tmpl_frame *f, const char *name, size_t len)
{
	const struct tmpl_var *v = NULL;
	const struct tmpl_ctx *c;
	const char *dot;
	size_t seg;

	dot = memchr(name, '.', len);
	seg = dot ? (size_t)(dot - name) : len;
	for (; f != NULL && v == NULL; f = f->down) {
		v = tmpl_ctx_find(f->ctx, name, seg);
		if (f->down == NULL)
			for (c = f->ctx->parent; c != NULL && v == NULL; c = c->parent)
				v = tmpl_ctx_find(c, name, seg);
	}
	while (v != NULL && dot != NULL) {
		if (v->type != TMPL_T_OBJ)
			return NULL;
		len -= seg + 1;
		name = dot + 1;
		dot = memchr(name, '.', len);
		seg = dot ? (size_t)(dot - name) : len;
		v = tmpl_ctx_find(v->u.obj, name, seg);
	}
	return v;
}

static bool
tmpl_truthy(const struct tmpl_var *v)
{
	if (v == NULL)
		return false;
	switch (v->type) {
	case TMPL_T_TEXT:
	case TMPL_T_HTML:
		return v->u.str.len != 0;
	case TMPL_T_INT:
		return v->u.i != 0;
	case TMPL_T_BOOL:
		return v->u.b;
	case TMPL_T_OBJ:
		return true;
	case TMPL_T_LIST:
		return v->u.list.head != NULL;
	case TMPL_T_NULL:
		break;
	}
	return false;
}

static void
tmpl_put_int(struct buf *out, long long v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	unsigned long long u;

	/* Negate in unsigned arithmetic so LLONG_MIN is fine. */
	u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	buf_add(out, p, (size_t)(tmp + sizeof(tmp) - p));
}

static void
tmpl_put_value(struct buf *out, const struct tmpl_var *v)
{
	switch (v->type) {
	case TMPL_T_TEXT:
		html_escape(out, v->u.str.s, v->u.str.len);
		break;
	case TMPL_T_HTML:
		buf_add(out, v->u.str.s, v->u.str.len);
		break;
	case TMPL_T_INT:
		tmpl_put_int(out, v->u.i);
		break;
	default:	/* bools, objects, lists, NULL print nothing */
		break;
	}
}

/* Renders nodes [i, end) of t; depth counts the partials entered. */
static int
tmpl_render_nodes(const struct tmpl *t, size_t i, size_t end,
		const struct tmpl_frame *f, struct buf *out, int depth)
{
	const struct tmpl_node *n;
	const struct tmpl_var *v;
	const struct tmpl_ctx *item;
	const struct tmpl *p;
	struct tmpl_frame top;

	for (; i < end && !out->err; i++) {
		n = &t->nodes[i];
		switch (n->kind) {
		case TMPL_N_TEXT:
			buf_add(out, n->str, n->len);
			break;
		case TMPL_N_VAR:
			if ((v = tmpl_lookup(f, n->str, n->len)) != NULL)
				tmpl_put_value(out, v);
			break;
		case TMPL_N_SECTION:
			v = tmpl_lookup(f, n->str, n->len);
			if (!tmpl_truthy(v)) {
				i = n->end - 1;
				break;
			}
			if (v->type == TMPL_T_LIST) {
				top.down = f;
				for (item = v->u.list.head; item != NULL; item = item->next) {
					top.ctx = item;
					if (tmpl_render_nodes(t, i + 1, n->end, &top, out, depth) == -1)
						return -1;
				}
			} else if (v->type == TMPL_T_OBJ) {
				top.ctx = v->u.obj;
				top.down = f;
				if (tmpl_render_nodes(t, i + 1, n->end, &top, out, depth) == -1)
					return -1;
			} else if (tmpl_render_nodes(t, i + 1, n->end, f, out, depth) == -1)
				return -1;
			i = n->end - 1;
			break;
		case TMPL_N_INVERTED:
			v = tmpl_lookup(f, n->str, n->len);
			if (!tmpl_truthy(v) &&
			    tmpl_render_nodes(t, i + 1, n->end, f, out, depth) == -1)
				return -1;
			i = n->end - 1;
			break;
		case TMPL_N_PARTIAL:
			if (depth >= TMPL_MAX_PARTIALS) {
				log_warnx("template \"%s\" line %u: partials nested deeper than %d",
				    t->name, n->line, TMPL_MAX_PARTIALS);
				return -1;
			}
			if ((p = tmpl_find(n->str, n->len, n->hash)) == NULL) {
				log_warnx("template \"%s\" line %u: unknown partial \"%.*s\"",
				    t->name, n->line, (int)n->len, n->str);
				return -1;
			}
			if (tmpl_render_nodes(p, 0, p->nnodes, f, out, depth + 1) == -1)
				return -1;
			break;
		}
	}
	return out->err ? -1 : 0;
}

int
tmpl_render(const char *name, const struct tmpl_ctx *ctx, struct buf *out)
{
	const struct tmpl *t;
	struct tmpl_frame root;
	size_t len = strlen(name), start = out->len;

	if ((t = tmpl_find(name, len, tmpl_hash(name, len))) == NULL) {
		log_warnx("template \"%s\" not found", name);
		return -1;
	}
	root.ctx = ctx != NULL ? ctx : &tmpl_empty_ctx;
	root.down = NULL;
	if (tmpl_render_nodes(t, 0, t->nnodes, &root, out, 0) == -1) {
		buf_truncate(out, start);
		return -1;
	}
	return 0;
}
