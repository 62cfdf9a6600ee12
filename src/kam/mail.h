/* E-mail messages as RFC 5322 text: headers cleaned of line breaks (no header injection
 * from stored names or subjects), UTF-8 subjects and names encoded per RFC 2047, a
 * multipart/alternative body with a text and an HTML part. Pure: no clock, no I/O. */
#ifndef KAM_KAM_MAIL_H
#define KAM_KAM_MAIL_H
#include <stddef.h>
#include <stdint.h>

/* What a message says; NULL fields are left out (html NULL: a text/plain message). */
struct mail_parts {
	const char *from;    /* "Name <addr>" or "addr" */
	const char *to;      /* an address */
	const char *to_name; /* a display name, or NULL */
	const char *subject;
	const char *text;
	const char *html;
	const char *message_id;       /* without the angle brackets */
	int64_t date;                 /* Unix time, written as UTC */
	const char *list_unsubscribe; /* a URL: List-Unsubscribe and List-Unsubscribe-Post */
	const char *boundary;         /* the multipart boundary (random, from the caller) */
};

/* Copies s into out (outlen bytes, NUL-terminated, cut at a character) with every control
 * character (CR and LF included) replaced by a space: safe inside a header. */
void mail_header_clean(const char *s, char *out, size_t outlen);
/* Whether addr looks like one mailbox address (local@domain, no spaces, brackets or
 * control characters): the only shape kam puts in To and RCPT TO. */
int mail_address_ok(const char *addr);
/* The message as CRLF-terminated lines (*out owned by the caller). */
int mail_compose(const struct mail_parts *p, char **out);
/* The address inside "Name <addr>" (or the whole of s) into out. */
void mail_address_of(const char *s, char *out, size_t outlen);

#endif
