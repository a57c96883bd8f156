/*
 * mime.h - composing outgoing mail (RFC 5322, RFC 2045-2047).
 *
 * Builds the complete message text (headers and body, CRLF line ends)
 * that the mail sender hands to the SMTP relay.  SMTP dot-stuffing is the
 * transport's job (libcurl does it).  All text is UTF-8; bodies are sent
 * quoted-printable, non-ASCII header text as RFC 2047 encoded words.
 */
#ifndef PORTAL_MIME_H
#define PORTAL_MIME_H

#include "compat.h"

#include "buf.h"

/*
 * One message with one sender and one recipient.  Every string is
 * borrowed: it is read during mime_build() only.
 */
struct mime_message {
	const char *from_addr, *from_name;	/* name may be NULL */
	const char *to_addr, *to_name;		/* name may be NULL */
	const char *subject;			/* UTF-8; required */
	const char *text;			/* text/plain body, UTF-8, \n line ends; required */
	const char *html;			/* text/html body, UTF-8; NULL -> single-part text/plain */
	const char *const *extra_headers;	/* NULL-terminated "Name: value" lines (e.g. List-Unsubscribe), may be NULL */
	const char *message_id;			/* without <>, e.g. "1234.abcd@portal.example"; required */
	long long date;				/* unix time for the Date header (written as +0000) */
};

/*
 * Appends the whole message to out: Date, From, To, Subject, Message-ID,
 * MIME-Version, the extra headers, then either a text/plain part or a
 * multipart/alternative (text first, then html).  Each part is
 * "charset=UTF-8" and quoted-printable.  The multipart boundary starts
 * with "=_", which quoted-printable never emits, so no body can contain
 * it; the rest is random and only makes it unique.
 *
 * Returns 0, or -1 with out truncated back to its length on entry when:
 * a required field is NULL; a header value, name or address contains CR
 * or LF (header injection); an address is not a plausible addr-spec
 * (dot-atom "@" hostname, ASCII, at most 254 bytes); the message id is
 * not dot-atom "@" dot-atom; an extra header is not "Name: value" in
 * printable ASCII, or names a header this function writes (Date, From,
 * To, Subject, Message-ID, MIME-Version, Content-*) or Cc/Bcc; any text
 * is not valid UTF-8; the date is before 1970 or past year 9999;
 * out->err is set (on entry or because the cap was reached).
 * Logs nothing: the caller knows which message it was.
 */
int mime_build(const struct mime_message *m, struct buf *out);

/*
 * Appends s[0..len) quoted-printable encoded (RFC 2045 6.7): "\n" (and
 * "\r\n") becomes a CRLF hard break, lines are at most 76 characters with
 * "=" soft breaks, '=', controls, non-ASCII bytes and a space or tab
 * before a line end are written =XX.  A soft break never splits a valid
 * UTF-8 character.  The output ends with CRLF only if s ends with "\n".
 */
void mime_qp_encode(struct buf *out, const char *s, size_t len);

/*
 * Appends text, one unstructured header value (such as a Subject), to a
 * line that already holds `used` characters (e.g. strlen("Subject: ")),
 * folding with CRLF SP so that no line passes 78 characters.  Printable
 * ASCII is written as is, folded at spaces; text with anything else
 * (non-ASCII, controls, "=?", or a word too long to fold) becomes RFC 2047
 * encoded words, Q or B, whichever is shorter, each at most 75
 * characters and never splitting a UTF-8 character.  CR and LF can thus
 * never reach the output raw; mime_build() still refuses them.  Writes
 * no final CRLF.
 */
void mime_header_encode(struct buf *out, const char *text, size_t used);

#endif
