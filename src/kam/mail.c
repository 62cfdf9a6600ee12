/* E-mail messages (see mail.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kam/mail.h"
#include "util/buf.h"
#include "util/err.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Appends base64 of n bytes of s; wrap > 0 breaks lines after that many characters. */
static void put_base64(struct buf *b, const unsigned char *s, size_t n, size_t wrap)
{
	size_t col = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = b64[(v >> 18) & 63];
		q[1] = b64[(v >> 12) & 63];
		q[2] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? b64[v & 63] : '=';
		buf_put(b, q, 4);
		col += 4;
		if (wrap && col >= wrap && i + 3 < n) {
			buf_puts(b, "\r\n");
			col = 0;
		}
	}
}

void mail_header_clean(const char *s, char *out, size_t outlen)
{
	size_t j = 0;

	if (outlen == 0)
		return;
	for (size_t i = 0; s && s[i] && j + 1 < outlen; i++) {
		unsigned char ch = (unsigned char)s[i];

		out[j++] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
	}
	/* never end inside a UTF-8 sequence */
	while (j > 0 && ((unsigned char)out[j - 1] & 0xC0) == 0x80) {
		size_t k = j - 1;

		while (k > 0 && ((unsigned char)out[k] & 0xC0) == 0x80)
			k--;
		unsigned char lead = (unsigned char)out[k];
		size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
		if (j - k >= need)
			break;
		j = k;
	}
	out[j] = '\0';
}

int mail_address_ok(const char *a)
{
	const char *at;

	if (a == NULL || a[0] == '\0' || strlen(a) > 254 || (at = strchr(a, '@')) == NULL ||
	    at == a || at[1] == '\0' || strchr(at + 1, '@'))
		return 0;
	for (const char *p = a; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || strchr("<>()[],;:\\\"", *p))
			return 0;
	return 1;
}

void mail_address_of(const char *s, char *out, size_t outlen)
{
	const char *lt = s ? strrchr(s, '<') : NULL, *gt = lt ? strchr(lt, '>') : NULL;

	if (lt && gt)
		snprintf(out, outlen, "%.*s", (int)(gt - lt - 1), lt + 1);
	else
		snprintf(out, outlen, "%s", s ? s : "");
}

static int needs_encoding(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x80)
			return 1;
	return strstr(s, "=?") != NULL;
}

/* Appends s cleaned, as RFC 2047 encoded words (UTF-8, base64) when it is not plain ASCII;
 * each word holds whole characters and stays under 76 characters. */
static void put_words(struct buf *b, const char *raw)
{
	char s[1024];
	size_t n, i = 0;

	mail_header_clean(raw, s, sizeof(s));
	if (!needs_encoding(s)) {
		buf_puts(b, s);
		return;
	}
	n = strlen(s);
	while (i < n) {
		size_t j = i, take;

		/* 45 bytes make 60 base64 characters, 72 with =?UTF-8?B? and ?= */
		while (j < n && j - i < 45) {
			size_t len = 1;
			unsigned char c = (unsigned char)s[j];

			if (c >= 0xF0)
				len = 4;
			else if (c >= 0xE0)
				len = 3;
			else if (c >= 0xC0)
				len = 2;
			if (j + len - i > 45)
				break;
			j += len;
		}
		take = j > i ? j - i : 1;
		if (i > 0)
			buf_puts(b, "\r\n ");
		buf_puts(b, "=?UTF-8?B?");
		put_base64(b, (const unsigned char *)s + i, take, 0);
		buf_puts(b, "?=");
		i += take;
	}
}

static void put_part(struct buf *b, const char *type, const char *body)
{
	buf_printf(b,
	           "Content-Type: %s; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
	           type);
	put_base64(b, (const unsigned char *)body, strlen(body), 76);
	buf_puts(b, "\r\n");
}

int mail_compose(const struct mail_parts *p, char **out)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct buf b = {0};
	char from[512], fromaddr[320], clean[1024];
	const char *lt;
	time_t t = (time_t)p->date;
	struct tm tm;

	*out = NULL;
	if (!mail_address_ok(p->to))
		return KAM_EINVAL;
	gmtime_r(&t, &tm);
	buf_printf(&b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
	           tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	           tm.tm_sec);
	/* From: the display name encoded, the address as it is */
	mail_header_clean(p->from, from, sizeof(from));
	mail_address_of(from, fromaddr, sizeof(fromaddr));
	buf_puts(&b, "From: ");
	if ((lt = strrchr(from, '<')) != NULL && lt > from) {
		char name[512];

		snprintf(name, sizeof(name), "%.*s", (int)(lt - from), from);
		for (size_t k = strlen(name); k > 0 && name[k - 1] == ' '; k--)
			name[k - 1] = '\0';
		put_words(&b, name);
		buf_puts(&b, " ");
	}
	buf_printf(&b, "<%s>\r\n", fromaddr);
	buf_puts(&b, "To: ");
	if (p->to_name && p->to_name[0]) {
		mail_header_clean(p->to_name, clean, sizeof(clean));
		if (needs_encoding(clean) || strpbrk(clean, "\"\\<>()[],;:@.")) {
			if (needs_encoding(clean))
				put_words(&b, clean);
			else {
				buf_puts(&b, "\"");
				for (const char *c = clean; *c; c++) {
					if (*c == '"' || *c == '\\')
						buf_puts(&b, "\\");
					buf_put(&b, c, 1);
				}
				buf_puts(&b, "\"");
			}
		} else
			buf_puts(&b, clean);
		buf_puts(&b, " ");
	}
	buf_printf(&b, "<%s>\r\n", p->to);
	buf_puts(&b, "Subject: ");
	put_words(&b, p->subject ? p->subject : "");
	buf_puts(&b, "\r\n");
	if (p->message_id) {
		mail_header_clean(p->message_id, clean, sizeof(clean));
		buf_printf(&b, "Message-ID: <%s>\r\n", clean);
	}
	if (p->list_unsubscribe) {
		mail_header_clean(p->list_unsubscribe, clean, sizeof(clean));
		buf_printf(&b,
		           "List-Unsubscribe: <%s>\r\nList-Unsubscribe-Post: "
		           "List-Unsubscribe=One-Click\r\n",
		           clean);
	}
	buf_puts(&b, "MIME-Version: 1.0\r\n");
	if (p->html) {
		buf_printf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n",
		           p->boundary);
		buf_printf(&b, "--%s\r\n", p->boundary);
		put_part(&b, "text/plain", p->text ? p->text : "");
		buf_printf(&b, "--%s\r\n", p->boundary);
		put_part(&b, "text/html", p->html);
		buf_printf(&b, "--%s--\r\n", p->boundary);
	} else
		put_part(&b, "text/plain", p->text ? p->text : "");
	*out = buf_take(&b, NULL);
	return *out ? KAM_OK : KAM_ENOMEM;
}
