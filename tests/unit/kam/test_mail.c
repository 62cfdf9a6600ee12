/* Mail messages: no header injection from stored text, RFC 2047 subjects cut at characters,
 * addresses refused when they could carry a second recipient. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "kam/mail.h"
#include "util/err.h"

static const struct mail_parts base = {
    .from = "kam <kam@example.com>",
    .to = "anna@example.com",
    .subject = "Hello",
    .text = "text",
    .html = "<p>html</p>",
    .message_id = "m1@example.com",
    .date = 0,
    .boundary = "=_b",
};

/* The header block of a message: everything before the first empty line. */
static char *headers_of(const char *msg)
{
	const char *end = strstr(msg, "\r\n\r\n");
	size_t n = end ? (size_t)(end - msg) + 2 : strlen(msg);
	char *h = malloc(n + 1);

	memcpy(h, msg, n);
	h[n] = '\0';
	return h;
}

static void test_no_injection(void **state)
{
	struct mail_parts p = base;
	char *msg = NULL, *h;

	(void)state;
	p.subject = "Renewal\r\nBcc: eve@evil.example";
	p.to_name = "Zoë\nCc: eve@evil.example";
	p.list_unsubscribe = "https://kam.example.com/u/1\r\nX-Evil: 1";
	assert_int_equal(mail_compose(&p, &msg), KAM_OK);
	h = headers_of(msg);
	assert_null(strstr(h, "\nBcc:"));
	assert_null(strstr(h, "\nCc:"));
	assert_null(strstr(h, "\nX-Evil:"));
	/* every header line is a known one or a folded continuation */
	for (const char *l = h; *l; l = strstr(l, "\r\n") + 2)
		assert_true(l[0] == ' ' || !strncmp(l, "Date:", 5) || !strncmp(l, "From:", 5) ||
		            !strncmp(l, "To:", 3) || !strncmp(l, "Subject:", 8) ||
		            !strncmp(l, "Message-ID:", 11) || !strncmp(l, "List-Unsubscribe", 16) ||
		            !strncmp(l, "MIME-Version:", 13) || !strncmp(l, "Content-Type:", 13));
	assert_non_null(strstr(h, "Subject: Renewal  Bcc: eve@evil.example\r\n"));
	free(h);
	free(msg);
	/* an address that would smuggle a recipient is refused */
	p = base;
	p.to = "anna@example.com>\r\nRCPT TO:<eve@evil.example";
	assert_int_equal(mail_compose(&p, &msg), KAM_EINVAL);
	assert_false(mail_address_ok("a@b, c@d"));
	assert_false(mail_address_ok("a b@example.com"));
	assert_true(mail_address_ok("zoe.olund@gridline.example"));
}

static void test_encoded_subject(void **state)
{
	struct mail_parts p = base;
	char *msg = NULL;
	const char *s;

	(void)state;
	/* 40 three-byte characters: two encoded words, each under 76 characters, none
	 * splitting a character (45 bytes of UTF-8 per word = 15 whole characters) */
	p.subject = "€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€";
	assert_int_equal(mail_compose(&p, &msg), KAM_OK);
	s = strstr(msg, "Subject: ");
	assert_non_null(s);
	assert_int_equal(strncmp(s, "Subject: =?UTF-8?B?", 19), 0);
	/* 4oKs is one whole euro sign: every word starts on a character */
	for (const char *w = strstr(s, "=?UTF-8?B?"); w && w < strstr(s, "\r\nMessage-ID");
	     w = strstr(w + 1, "=?UTF-8?B?")) {
		const char *e = strstr(w, "?=");

		assert_int_equal(strncmp(w + 10, "4oKs", 4), 0);
		assert_true(e - w + 2 <= 75);
	}
	assert_non_null(strstr(s, "?=\r\n =?UTF-8?B?"));
	free(msg);
	/* plain ASCII stays readable */
	p.subject = "Your day: 3 alerts";
	assert_int_equal(mail_compose(&p, &msg), KAM_OK);
	assert_non_null(strstr(msg, "Subject: Your day: 3 alerts\r\n"));
	assert_non_null(strstr(msg, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"));
	assert_non_null(strstr(msg, "Content-Type: multipart/alternative; boundary=\"=_b\"\r\n"));
	assert_non_null(strstr(msg, "--=_b--\r\n"));
	free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_injection),
	    cmocka_unit_test(test_encoded_subject),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
