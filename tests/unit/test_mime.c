/*
 * test_mime.c - unit tests of portal/mime.c (included to reach its statics).
 *
 * Besides exact outputs, the tests decode what the encoder wrote with
 * small independent decoders (quoted-printable, RFC 2047 words, header
 * unfolding) and compare with the input, and check every line length.
 */
#include "../../portal/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../portal/mime.c"

static const char *
qp(const char *in, struct buf *b)
{
	buf_reset(b);
	mime_qp_encode(b, in, strlen(in));
	assert_false(b->err);
	return b->data;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	fail_msg("bad hex digit '%c'", c);
	return -1;
}

/* Asserts every CRLF-terminated (or final) line of s is at most max chars
 * and that no bare CR or LF occurs. */
static void
assert_lines_max(const char *s, size_t max)
{
	const char *line = s, *p;

	for (p = s; *p != '\0'; p++) {
		if (*p == '\r') {
			assert_int_equal(p[1], '\n');
			if ((size_t)(p - line) > max)
				fail_msg("line of %zu chars: %.*s", (size_t)(p - line), (int)(p - line), line);
			p++;
			line = p + 1;
		} else
			assert_int_not_equal(*p, '\n');
	}
	assert_true((size_t)(p - line) <= max);
}

/* Strict quoted-printable decoder: soft breaks, =XX (upper case), CRLF -> "\n". */
static void
qp_decode(const char *s, struct buf *out)
{
	const char *start = s;

	buf_reset(out);
	while (*s != '\0') {
		if (s[0] == '=' && s[1] == '\r' && s[2] == '\n') {
			s += 3;
		} else if (s[0] == '=') {
			buf_addch(out, (char)(hexval(s[1]) * 16 + hexval(s[2])));
			s += 3;
		} else if (s[0] == '\r') {
			assert_int_equal(s[1], '\n');
			/* Whitespace must never end an encoded line. */
			assert_false(s > start && (s[-1] == ' ' || s[-1] == '\t'));
			buf_addch(out, '\n');
			s += 2;
		} else {
			assert_true(*s == ' ' || *s == '\t' || (*s > ' ' && *s < 0x7f));
			buf_addch(out, *s++);
		}
	}
	assert_false(s > start && (s[-1] == ' ' || s[-1] == '\t'));
}

static void
assert_qp_round_trip(const char *in)
{
	struct buf enc, dec;
	const char *p;
	size_t i;

	buf_init(&enc, 0);
	buf_init(&dec, 0);
	mime_qp_encode(&enc, in, strlen(in));
	assert_lines_max(enc.data, MIME_QP_MAX);
	qp_decode(enc.data, &dec);
	/* The decoder turns every CRLF into "\n", as "\r\n" input is a line end too. */
	for (i = 0, p = in; *p != '\0'; p++) {
		if (p[0] == '\r' && p[1] == '\n')
			continue;
		assert_true(i < dec.len);
		assert_int_equal(dec.data[i], *p);
		i++;
	}
	assert_int_equal(i, dec.len);
	buf_release(&enc);
	buf_release(&dec);
}

static void
test_qp_exact(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_string_equal(qp("", &b), "");
	assert_string_equal(qp("perché è già così", &b), "perch=C3=A9 =C3=A8 gi=C3=A0 cos=C3=AC");
	assert_string_equal(qp("a=b", &b), "a=3Db");
	assert_string_equal(qp("==", &b), "=3D=3D");
	/* Trailing whitespace before a line end and at the end. */
	assert_string_equal(qp("ciao \nmondo\t", &b), "ciao=20\r\nmondo=09");
	assert_string_equal(qp("a  \r\nb", &b), "a =20\r\nb");
	assert_string_equal(qp(" ", &b), "=20");
	assert_string_equal(qp("a b", &b), "a b");
	/* Line ends: LF and CRLF are hard breaks; a lone CR is data. */
	assert_string_equal(qp("uno\ndue\r\ntre\n", &b), "uno\r\ndue\r\ntre\r\n");
	assert_string_equal(qp("\n\n", &b), "\r\n\r\n");
	assert_string_equal(qp("a\rb\r", &b), "a=0Db=0D");
	/* Controls and stray bytes. */
	assert_string_equal(qp("\x01\x7f\x1b", &b), "=01=7F=1B");
	assert_string_equal(qp("x\xff", &b), "x=FF");
	/* Leading dots stay: dot-stuffing is the transport's job. */
	assert_string_equal(qp(".\n..x\n", &b), ".\r\n..x\r\n");
	/* "From " and other printable ASCII pass through. */
	assert_string_equal(qp("From me: <a@b> ~!?", &b), "From me: <a@b> ~!?");
	buf_release(&b);
}

static void
test_qp_soft_breaks(void **state)
{
	char line[400];
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, 0);
	/* 76 characters fit on one line, 77 do not. */
	memset(line, 'a', 77);
	line[76] = '\0';
	assert_string_equal(qp(line, &b), line);
	line[76] = 'b';
	line[77] = '\0';
	qp(line, &b);
	assert_int_equal(b.len, 75 + 3 + 2);
	assert_memory_equal(b.data, line, 75);
	assert_string_equal(b.data + 75, "=\r\nab");
	/* Also when a hard break follows the 76th character. */
	line[76] = '\n';
	assert_string_equal(qp(line, &b) + 76, "\r\n");
	/* An escape is never split; its three chars move to the next line. */
	memset(line, 'a', 74);
	strcpy(line + 73, "=");
	assert_string_equal(qp(line, &b) + 73, "=3D");	/* last on the line: up to col 76 */
	strcpy(line + 73, "=\nb");
	assert_string_equal(qp(line, &b) + 73, "=3D\r\nb");
	strcpy(line + 73, "=b");
	assert_string_equal(qp(line, &b) + 73, "=\r\n=3Db");	/* '=' needs col 76 */
	memset(line, 'a', 74);
	strcpy(line + 72, "=b");
	assert_string_equal(qp(line, &b) + 72, "=3Db");	/* col 75 + 'b' at 76 */
	strcpy(line + 72, "=bc");
	assert_string_equal(qp(line, &b) + 72, "=3D=\r\nbc");
	/* Nor is a UTF-8 character. */
	memset(line, 'a', 74);
	strcpy(line + 74, "é");
	qp(line, &b);
	assert_string_equal(b.data + 74, "=\r\n=C3=A9");
	/* A space before a soft break is fine: '=' ends the line. */
	memset(line, 'a', 74);
	strcpy(line + 74, " bb");
	qp(line, &b);
	assert_string_equal(b.data + 74, " =\r\nbb");
	/* A long line of many kinds of tokens. */
	for (i = 0; i + 3 < sizeof(line); i += 3)
		memcpy(line + i, i % 2 ? "è=" : "a b", 3);
	line[i] = '\0';
	assert_qp_round_trip(line);
	buf_release(&b);
}

static void
test_qp_round_trips(void **state)
{
	static const char *const cases[] = {
		"",
		"Gentile utente,\n\nla sua iscrizione al corso \"Accessibilità\" è confermata.\n",
		"riga con spazi finali   \nriga con tab\t\t\nfine  ",
		"= =\n=\r\n\r\n\n",
		"\xf0\x9f\x98\x80 emoji \xe2\x82\xac euro",
		"<html><body><p style=\"color:red\">Perché sì</p></body></html>\n",
		"\x01\x02\r\x03 \x7f",
		"-- \n--=_portal_deadbeef\n",
	};
	char big[5000];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		assert_qp_round_trip(cases[i]);
	/* One very long line mixing every token kind, and many lengths around 76. */
	for (i = 0; i + 1 < sizeof(big); i++)
		big[i] = "ab =\tè"[i % 7];	/* 7 bytes: 'è' is two */
	big[sizeof(big) - 1] = '\0';
	/* Never cut inside "è" while building the input itself. */
	for (i = 60; i < 200; i++) {
		char saved = big[i];

		if (((unsigned char)big[i] & 0xc0) == 0x80)
			continue;
		big[i] = '\0';
		assert_qp_round_trip(big);
		big[i] = saved;
	}
	assert_qp_round_trip(big);
}

/* Removes the CRLF of each fold (RFC 5322 2.2.3). */
static void
unfold(const char *s, struct buf *out)
{
	buf_reset(out);
	for (; *s != '\0'; s++) {
		if (s[0] == '\r' && s[1] == '\n' && (s[2] == ' ' || s[2] == '\t')) {
			s++;
			continue;
		}
		buf_addch(out, *s);
	}
}

static void
b64_decode(const char *s, size_t n, struct buf *out)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t v = 0;
	int bits = 0;
	size_t i;

	assert_int_equal(n % 4, 0);
	for (i = 0; i < n && s[i] != '='; i++) {
		const char *c = strchr(b64, s[i]);

		assert_non_null(c);
		v = (v << 6) | (uint32_t)(c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addch(out, (char)(v >> bits));
		}
	}
}

/*
 * Decodes an unfolded value made only of encoded words separated by
 * spaces.  Each word must decode to whole UTF-8 characters and be at
 * most 75 chars; counts the words in *nwords.
 */
static void
ew_decode(const char *s, struct buf *out, size_t *nwords)
{
	struct buf word;

	buf_init(&word, 0);
	buf_reset(out);
	*nwords = 0;
	while (*s != '\0') {
		const char *end;
		char enc;

		while (*s == ' ')
			s++;
		assert_memory_equal(s, "=?UTF-8?", 8);
		enc = s[8];
		assert_true(enc == 'Q' || enc == 'B');
		assert_int_equal(s[9], '?');
		end = strstr(s + 10, "?=");
		assert_non_null(end);
		assert_true(end + 2 - s <= MIME_EW_MAX);
		buf_reset(&word);
		if (enc == 'B') {
			b64_decode(s + 10, (size_t)(end - s - 10), &word);
		} else {
			const char *p;

			for (p = s + 10; p < end; p++) {
				if (*p == '_')
					buf_addch(&word, ' ');
				else if (*p == '=') {
					buf_addch(&word, (char)(hexval(p[1]) * 16 + hexval(p[2])));
					p += 2;
				} else {
					assert_true(mime_q_plain((unsigned char)*p));
					buf_addch(&word, *p);
				}
			}
		}
		assert_true(mime_utf8_valid(word.data));
		buf_add(out, word.data, word.len);
		(*nwords)++;
		s = end + 2;
		assert_true(*s == '\0' || *s == ' ');
	}
	buf_release(&word);
}

/* Encodes as a Subject and returns the full header line(s). */
static const char *
subject(const char *text, struct buf *b)
{
	buf_reset(b);
	buf_adds(b, "Subject: ");
	mime_header_encode(b, text, strlen("Subject: "));
	assert_false(b->err);
	assert_lines_max(b->data, MIME_LINE_MAX);
	return b->data;
}

/* Asserts that the encoded Subject decodes back to text. */
static void
assert_subject_decodes(const char *text, bool encoded, size_t min_words)
{
	struct buf b, u, d;
	size_t nwords;

	buf_init(&b, 0);
	buf_init(&u, 0);
	buf_init(&d, 0);
	subject(text, &b);
	unfold(b.data, &u);
	assert_memory_equal(u.data, "Subject: ", 9);
	if (encoded) {
		ew_decode(u.data + 9, &d, &nwords);
		assert_true(nwords >= min_words);
		assert_string_equal(d.data, text);
	} else
		assert_string_equal(u.data + 9, text);
	buf_release(&b);
	buf_release(&u);
	buf_release(&d);
}

static void
test_header_exact(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_string_equal(subject("Iscrizione confermata", &b), "Subject: Iscrizione confermata");
	assert_string_equal(subject("", &b), "Subject: ");
	assert_string_equal(subject("Iscrizione al corso è confermata", &b),
	    "Subject: =?UTF-8?Q?Iscrizione_al_corso_=C3=A8_confermata?=");
	/* '_', '=', '?' and other specials are escaped inside Q. */
	assert_string_equal(subject("Corso di formazione è_=?(base) avanzato", &b),
	    "Subject: =?UTF-8?Q?Corso_di_formazione_=C3=A8=5F=3D=3F=28base=29_avanzato?=");
	/* Mostly non-Latin text: B is shorter. */
	assert_string_equal(subject("Привет", &b), "Subject: =?UTF-8?B?0J/RgNC40LLQtdGC?=");
	/* "=?" in plain text would be taken for an encoded word. */
	assert_string_equal(subject("a =?b", &b), "Subject: =?UTF-8?B?YSA9P2I=?=");
	assert_string_equal(subject("Leggi qui =?UTF-8?Q?x?=", &b),
	    "Subject: =?UTF-8?B?TGVnZ2kgcXVpID0/VVRGLTg/UT94Pz0=?=");
	/* Controls never go out raw, CR and LF included. */
	assert_string_equal(subject("a\r\nBcc: x", &b), "Subject: =?UTF-8?B?YQ0KQmNjOiB4?=");
	assert_string_equal(subject("tab\there", &b), "Subject: =?UTF-8?Q?tab=09here?=");
	buf_release(&b);
}

static void
test_header_long_ascii(void **state)
{
	static const char text[] =
	    "Nuovo corso disponibile: introduzione alla trasformazione digitale "
	    "della pubblica amministrazione, con esercitazioni pratiche e quiz finale";
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	subject(text, &b);
	assert_non_null(strstr(b.data, "\r\n "));
	assert_null(strstr(b.data, "=?"));
	assert_subject_decodes(text, false, 0);
	/* Folds go before a space that precedes a word, so that no line holds
	 * only whitespace; a run of spaces too long for a line is encoded. */
	assert_subject_decodes("a                                                                 "
			       "                                              b", true, 2);
	assert_subject_decodes("a                                                                 "
			       "  b                                                             c", false, 0);
	assert_subject_decodes("   leading and trailing   ", false, 0);
	buf_release(&b);
}

static void
test_header_long_encoded(void **state)
{
	static const char text[] =
	    "Perché è già così: aggiornamento sull'attività formativa dell'ente, "
	    "novità e opportunità di partecipazione più accessibili per tutti";
	char emoji[4 * 40 + 1];
	char word[120];
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, 0);
	subject(text, &b);
	assert_memory_equal(b.data, "Subject: =?UTF-8?Q?Perch=C3=A9_=C3=A8_gi=C3=A0_", 47);
	assert_subject_decodes(text, true, 3);
	/* Four-byte characters in B words: never split across words. */
	for (i = 0; i < 40; i++)
		memcpy(emoji + 4 * i, "\xf0\x9f\x98\x80", 4);
	emoji[160] = '\0';
	assert_subject_decodes(emoji, true, 3);
	/* A single ASCII word too long to fold is encoded, so it can be cut. */
	memset(word, 'x', sizeof(word) - 1);
	word[sizeof(word) - 1] = '\0';
	assert_subject_decodes(word, true, 2);
	/* A long first word that does not fit after the field name. */
	memset(word, 'y', 75);
	word[75] = '\0';
	assert_subject_decodes(word, true, 2);
	/* Many lengths, so that the word edges fall everywhere. */
	for (i = 1; i < sizeof(text); i += 7) {
		char part[sizeof(text)];
		size_t n = i;

		while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;	/* keep whole characters */
		memcpy(part, text, n);
		part[n] = '\0';
		buf_reset(&b);
		buf_adds(&b, "X-Very-Long-Field-Name-For-Testing-Folding: ");
		mime_header_encode(&b, part, 44);
		assert_lines_max(b.data, MIME_LINE_MAX);
	}
	/* A field name that leaves no room on the first line: "=?UTF-8?B?w6g=?="
	 * (16 chars) fits after 62 columns, not after 63. */
	buf_reset(&b);
	mime_header_encode(&b, "è", 62);
	assert_string_equal(b.data, "=?UTF-8?B?w6g=?=");
	buf_reset(&b);
	mime_header_encode(&b, "è", 63);
	assert_string_equal(b.data, "\r\n =?UTF-8?B?w6g=?=");
	buf_reset(&b);
	mime_header_encode(&b, "è", 500);
	assert_string_equal(b.data, "\r\n =?UTF-8?B?w6g=?=");
	buf_release(&b);
}

/* A message that mime_build() accepts; tests change one field at a time. */
static struct mime_message
sample(void)
{
	static const char *const extra[] = {
		"List-Unsubscribe: <https://portal.example/u/abc>", NULL,
	};
	struct mime_message m = {
		.from_addr = "noreply@portal.example",
		.from_name = "Portale PA",
		.to_addr = "mario.rossi@comune.example.it",
		.to_name = "Mario Rossi",
		.subject = "Iscrizione al corso è confermata",
		.text = "Ciao Mario,\nla tua iscrizione è confermata.\n",
		.html = NULL,
		.extra_headers = extra,
		.message_id = "1700000000.abcd@portal.example",
		.date = 1700000000,
	};

	return m;
}

static void
test_build_single(void **state)
{
	struct mime_message m = sample();
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(mime_build(&m, &b), 0);
	assert_string_equal(b.data,
	    "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
	    "From: Portale PA <noreply@portal.example>\r\n"
	    "To: Mario Rossi <mario.rossi@comune.example.it>\r\n"
	    "Subject: =?UTF-8?Q?Iscrizione_al_corso_=C3=A8_confermata?=\r\n"
	    "Message-ID: <1700000000.abcd@portal.example>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "List-Unsubscribe: <https://portal.example/u/abc>\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "Ciao Mario,\r\n"
	    "la tua iscrizione =C3=A8 confermata.\r\n");
	assert_null(strstr(b.data, "multipart"));

	/* No names, no extra headers, a body without a final newline. */
	m.from_name = NULL;
	m.to_name = "   ";
	m.extra_headers = NULL;
	m.subject = "";
	m.text = "ok";
	m.date = 0;
	buf_reset(&b);
	assert_int_equal(mime_build(&m, &b), 0);
	assert_string_equal(b.data,
	    "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"
	    "From: noreply@portal.example\r\n"
	    "To: mario.rossi@comune.example.it\r\n"
	    "Subject:\r\n"
	    "Message-ID: <1700000000.abcd@portal.example>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "ok\r\n");
	buf_release(&b);
}

static void
test_build_multipart(void **state)
{
	static const char text_hdr[] = "\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
	static const char html_hdr[] = "\r\nContent-Type: text/html; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
	struct mime_message m = sample();
	char boundary[100], delim[110];
	char *p, *text, *html, *end;
	struct buf b, d;
	size_t n;

	(void)state;
	m.html = "<p>Ciao Mario,<br>la tua iscrizione <b>è</b> confermata.</p>";
	buf_init(&b, 0);
	buf_init(&d, 0);
	assert_int_equal(mime_build(&m, &b), 0);
	assert_lines_max(b.data, MIME_LINE_MAX);

	p = strstr(b.data, "\r\nContent-Type: multipart/alternative;\r\n boundary=\"");
	assert_non_null(p);
	p = strchr(p, '"') + 1;
	n = strcspn(p, "\"");
	assert_true(n > 10 && n < 70);
	memcpy(boundary, p, n);
	boundary[n] = '\0';
	assert_memory_equal(boundary, "=_", 2);
	assert_memory_equal(p + n, "\"\r\n\r\n--", 7);
	snprintf(delim, sizeof(delim), "\r\n--%s", boundary);

	/* The header block ends right before the first delimiter. */
	text = strstr(b.data, delim);
	assert_non_null(text);
	assert_ptr_equal(text, p + n + 3);
	assert_ptr_equal(strstr(b.data, "\r\n\r\n"), text - 2);
	text += strlen(delim);
	/* Part 1: text/plain. */
	assert_memory_equal(text, text_hdr, strlen(text_hdr));
	html = strstr(text, delim);
	assert_non_null(html);
	*html = '\0';
	qp_decode(text + strlen(text_hdr), &d);
	assert_string_equal(d.data, m.text);
	*html = '\r';
	/* Part 2: text/html. */
	html += strlen(delim);
	assert_memory_equal(html, html_hdr, strlen(html_hdr));
	end = strstr(html, delim);
	assert_non_null(end);
	*end = '\0';
	qp_decode(html + strlen(html_hdr), &d);
	assert_string_equal(d.data, m.html);
	*end = '\r';
	/* Final delimiter closes the message; the boundary appears 3 times only. */
	assert_string_equal(end + strlen(delim), "--\r\n");
	for (n = 0, p = b.data; (p = strstr(p, boundary)) != NULL; p++)
		n++;
	assert_int_equal(n, 4);		/* in the header, and three delimiters */

	/* Another message gets another boundary. */
	buf_reset(&d);
	assert_int_equal(mime_build(&m, &d), 0);
	assert_null(strstr(d.data, boundary));
	buf_release(&b);
	buf_release(&d);
}

/* Asserts mime_build() refuses m and leaves out exactly as it was. */
static void
assert_refused(const struct mime_message *m)
{
	struct buf b;

	buf_init(&b, 0);
	buf_adds(&b, "previous content");
	assert_int_equal(mime_build(m, &b), -1);
	assert_int_equal(b.len, 16);
	assert_string_equal(b.data, "previous content");
	buf_release(&b);
}

static void
test_build_injection(void **state)
{
	static const char *const bad_extra[][2] = {
		{ "X-Tag: a\r\nBcc: x", NULL },
		{ "X-Tag: a\nb", NULL },
		{ "Bcc: spia@example.org", NULL },
		{ "cc: spia@example.org", NULL },
		{ "From: altro@example.org", NULL },
		{ "content-type: text/html", NULL },
		{ "Message-Id: <x@y>", NULL },
		{ "No colon here", NULL },
		{ ": empty name", NULL },
		{ "Bad Name: x", NULL },
		{ "X-Tag: è", NULL },
		{ "X-Tag: a\tb", NULL },
	};
	struct mime_message m;
	size_t i;

	(void)state;
	m = sample(); m.subject = "a\r\nBcc: x"; assert_refused(&m);
	m = sample(); m.subject = "a\nb"; assert_refused(&m);
	m = sample(); m.subject = "a\rb"; assert_refused(&m);
	m = sample(); m.from_name = "Mario\r\nBcc: x"; assert_refused(&m);
	m = sample(); m.to_name = "Mario\n"; assert_refused(&m);
	m = sample(); m.to_addr = "a@b.it\r\nBcc: x@y.it"; assert_refused(&m);
	m = sample(); m.from_addr = "a@b.it\n"; assert_refused(&m);
	m = sample(); m.message_id = "1.a@b\r\nBcc: x"; assert_refused(&m);
	for (i = 0; i < ARRAY_SIZE(bad_extra); i++) {
		m = sample();
		m.extra_headers = bad_extra[i];
		assert_refused(&m);
	}
}

static void
test_build_refusals(void **state)
{
	static const char *const bad_addr[] = {
		"", "a", "@b.it", "a@", "a..b@c.it", ".a@b.it", "a.@b.it", "a@-b.it",
		"a@b-.it", "a@b..it", "a@.b.it", "a@b.it.", "a b@c.it", "a@b_c.it",
		"è@b.it", "a@bè.it", "<a@b.it>", "a@b@c.it", "\"a\"@b.it", "a@[127.0.0.1]",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.it",	/* 65 */
		"a@bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.it",	/* 64 */
	};
	struct mime_message m;
	struct buf b;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad_addr); i++) {
		m = sample(); m.to_addr = bad_addr[i]; assert_refused(&m);
		m = sample(); m.from_addr = bad_addr[i]; assert_refused(&m);
	}
	m = sample(); m.to_addr = NULL; assert_refused(&m);
	m = sample(); m.from_addr = NULL; assert_refused(&m);
	m = sample(); m.subject = NULL; assert_refused(&m);
	m = sample(); m.text = NULL; assert_refused(&m);
	m = sample(); m.message_id = NULL; assert_refused(&m);
	m = sample(); m.message_id = "<1.a@b>"; assert_refused(&m);
	m = sample(); m.message_id = "noat"; assert_refused(&m);
	m = sample(); m.message_id = "a@"; assert_refused(&m);
	/* Broken UTF-8 anywhere. */
	m = sample(); m.subject = "perch\xe9"; assert_refused(&m);
	m = sample(); m.to_name = "\xc3"; assert_refused(&m);
	m = sample(); m.text = "ok\xff"; assert_refused(&m);
	m = sample(); m.html = "<p>\xed\xa0\x80</p>"; assert_refused(&m);
	/* Dates outside four-digit years. */
	m = sample(); m.date = -1; assert_refused(&m);
	m = sample(); m.date = MIME_DATE_MAX + 1; assert_refused(&m);

	/* A sticky error on entry, and the cap reached half-way. */
	m = sample();
	buf_init(&b, 0);
	b.err = 1;
	assert_int_equal(mime_build(&m, &b), -1);
	buf_release(&b);
	buf_init(&b, 100);
	assert_int_equal(mime_build(&m, &b), -1);
	assert_int_equal(b.len, 0);
	buf_release(&b);
}

static void
test_build_accepts(void **state)
{
	static const char *const good_addr[] = {
		"mario.rossi+corsi@comune.roma.it", "root@localhost", "a@b.c",
		"o'neil@example.org", "x_y-z@sub-domain.example.org", "1@2.3",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.it",	/* 64 */
		"a@bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.it",	/* 63 */
	};
	struct mime_message m;
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, 0);
	for (i = 0; i < ARRAY_SIZE(good_addr); i++) {
		m = sample();
		m.to_addr = good_addr[i];
		buf_reset(&b);
		assert_int_equal(mime_build(&m, &b), 0);
		assert_non_null(strstr(b.data, good_addr[i]));
	}
	m = sample();
	m.date = MIME_DATE_MAX;
	buf_reset(&b);
	assert_int_equal(mime_build(&m, &b), 0);
	assert_memory_equal(b.data, "Date: Fri, 31 Dec 9999 23:59:59 +0000\r\n", 39);
	buf_release(&b);
}

/* Returns the unfolded value of header name in the message s. */
static const char *
header(const char *s, const char *name, struct buf *u)
{
	char key[64];
	const char *p, *end;

	struct buf raw;

	snprintf(key, sizeof(key), "\r\n%s:", name);
	p = strstr(s, key);
	assert_non_null(p);
	p += strlen(key);
	for (end = p; !(end[0] == '\r' && end[1] == '\n' && end[2] != ' '); end++)
		;
	buf_init(&raw, 0);
	buf_add(&raw, p, (size_t)(end - p));
	unfold(raw.data, u);
	buf_release(&raw);
	/* The value proper starts after the space that follows the colon. */
	assert_int_equal(u->data[0], ' ');
	memmove(u->data, u->data + 1, u->len);
	u->len--;
	return u->data;
}

static void
test_build_names(void **state)
{
	static const char long_name[] =
	    "Ufficio per la transizione al digitale del Comune di San Giovanni in Persiceto";
	static const char long_acc[] =
	    "Unità organizzativa responsabilità della transizione al digitale, Città Metropolitana";
	static const char *const extra[] = {
		"List-Unsubscribe: <https://portal.example/newsletter/unsubscribe?t=0123456789abcdef0123456789>, "
		"<mailto:unsubscribe@portal.example?subject=0123456789abcdef>",
		"List-Unsubscribe-Post: List-Unsubscribe=One-Click",
		NULL,
	};
	struct mime_message m = sample();
	struct buf b, u, d;
	size_t nwords;

	(void)state;
	buf_init(&b, 0);
	buf_init(&u, 0);
	buf_init(&d, 0);

	m.from_name = "Rossi, Mario \"il capo\"";
	m.to_name = "Nicolò Bianchi";
	assert_int_equal(mime_build(&m, &b), 0);
	assert_string_equal(header(b.data, "From", &u),
			    "\"Rossi, Mario \\\"il capo\\\"\" <noreply@portal.example>");
	assert_string_equal(header(b.data, "To", &u),
			    "=?UTF-8?Q?Nicol=C3=B2_Bianchi?= <mario.rossi@comune.example.it>");

	m.from_name = long_name;
	m.to_name = long_acc;
	m.extra_headers = extra;
	m.subject = "Aggiornamento: novità sui corsi di formazione per la PA, iscrizioni aperte fino al 30 novembre";
	buf_reset(&b);
	assert_int_equal(mime_build(&m, &b), 0);
	assert_lines_max(b.data, MIME_LINE_MAX);
	/* Plain atoms are folded, not encoded; the address moves down. */
	header(b.data, "From", &u);
	assert_null(strstr(u.data, "=?"));
	assert_memory_equal(u.data, long_name, strlen(long_name));
	assert_string_equal(u.data + strlen(long_name), " <noreply@portal.example>");
	/* The accented long name: words, then the address. */
	header(b.data, "To", &u);
	*strstr(u.data, " <mario.rossi@comune.example.it>") = '\0';
	ew_decode(u.data, &d, &nwords);
	assert_true(nwords >= 2);
	assert_string_equal(d.data, long_acc);
	header(b.data, "Subject", &u);
	ew_decode(u.data, &d, &nwords);
	assert_string_equal(d.data, m.subject);
	assert_string_equal(header(b.data, "List-Unsubscribe", &u), extra[0] + 18);
	assert_string_equal(header(b.data, "List-Unsubscribe-Post", &u), "List-Unsubscribe=One-Click");
	buf_release(&b);
	buf_release(&u);
	buf_release(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qp_exact),
		cmocka_unit_test(test_qp_soft_breaks),
		cmocka_unit_test(test_qp_round_trips),
		cmocka_unit_test(test_header_exact),
		cmocka_unit_test(test_header_long_ascii),
		cmocka_unit_test(test_header_long_encoded),
		cmocka_unit_test(test_build_single),
		cmocka_unit_test(test_build_multipart),
		cmocka_unit_test(test_build_injection),
		cmocka_unit_test(test_build_refusals),
		cmocka_unit_test(test_build_accepts),
		cmocka_unit_test(test_build_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
