/* Webhooks: the Standard Webhooks signature (the spec's own example), the overlap of two
 * secrets, and the SSRF rules: which addresses are private, the allow-list, URL checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>
#include "app/webhook.h"
#include "util/err.h"

static void test_sign_spec_example(void **state)
{
	char *sig = NULL;

	(void)state;
	/* the example of the Standard Webhooks spec and its reference libraries */
	assert_int_equal(app_webhook_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", NULL,
	                                  "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
	                                  "{\"test\": 2432232314}", &sig),
	                 KAM_OK);
	assert_string_equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
	free(sig);
	/* during a rotation both secrets sign, the new one first */
	assert_int_equal(app_webhook_sign("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	                                  "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
	                                  "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
	                                  "{\"test\": 2432232314}", &sig),
	                 KAM_OK);
	assert_non_null(strstr(sig, " v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
	assert_int_equal(strncmp(sig, "v1,", 3), 0);
	free(sig);
	assert_int_equal(app_webhook_sign("whsec_not base64!", NULL, "m", 1, "{}", &sig),
	                 KAM_EINVAL);
	assert_null(sig);
}

static void test_private_addresses(void **state)
{
	static const char *const private[] = {"0.0.0.0",
	                                      "10.0.0.1",
	                                      "127.0.0.1",
	                                      "127.8.8.8",
	                                      "169.254.169.254",
	                                      "172.16.0.1",
	                                      "172.31.255.255",
	                                      "192.168.1.1",
	                                      "100.64.0.1",
	                                      "224.0.0.1",
	                                      "255.255.255.255",
	                                      "::",
	                                      "::1",
	                                      "fe80::1",
	                                      "fc00::1",
	                                      "fd12:3456::1",
	                                      "ff02::1",
	                                      "::ffff:10.0.0.1",
	                                      "::ffff:127.0.0.1",
	                                      "::ffff:169.254.169.254",
	                                      "64:ff9b::a9fe:a9fe",
	                                      "2002:7f00:1::1",
	                                      "not an address"};
	static const char *const public[] = {"8.8.8.8", "93.184.216.34", "172.32.0.1",
	                                     "2606:4700:4700::1111", "::ffff:8.8.8.8"};

	(void)state;
	for (size_t i = 0; i < sizeof(private) / sizeof(*private); i++)
		if (!app_webhook_addr_private(private[i]))
			fail_msg("%s should count as private", private[i]);
	for (size_t i = 0; i < sizeof(public) / sizeof(*public); i++)
		if (app_webhook_addr_private(public[i]))
			fail_msg("%s should count as public", public[i]);
}

static int check(const char *allow, const char *url)
{
	struct webhook_config c;
	char why[300], pin[300];

	app_webhook_config(&c);
	snprintf(c.allow, sizeof(c.allow), "%s", allow);
	return app_webhook_url_check(&c, url, why, sizeof(why), pin, sizeof(pin));
}

static void test_url_checks(void **state)
{
	(void)state;
	assert_int_equal(check("", "http://127.0.0.1:8080/hook"), KAM_EINVAL);
	assert_int_equal(check("127.0.0.1", "http://127.0.0.1:8080/hook"), KAM_OK);
	assert_int_equal(check("127.0.0.1", "http://[::1]:8080/hook"), KAM_EINVAL);
	assert_int_equal(check("127.0.0.1, ::1", "http://[::1]:8080/hook"), KAM_OK);
	/* the same address written otherwise is the same address */
	assert_int_equal(check("", "http://[::ffff:127.0.0.1]/"), KAM_EINVAL);
	assert_int_equal(check("127.0.0.1", "http://[::ffff:127.0.0.1]/"), KAM_OK);
	assert_int_equal(check("", "http://2130706433/"), KAM_EINVAL);
	assert_int_equal(check("", "http://0x7f.1/"), KAM_EINVAL);
	assert_int_equal(check("", "http://localhost/"), KAM_EINVAL);
	/* ranges */
	assert_int_equal(check("10.0.0.0/8", "http://10.20.30.40/"), KAM_OK);
	assert_int_equal(check("10.0.0.0/8", "http://11.0.0.1:1/"), KAM_OK); /* public */
	assert_int_equal(check("10.0.0.0/16", "http://10.1.0.1/"), KAM_EINVAL);
	assert_int_equal(check("fd00::/8", "http://[fd00::5]/"), KAM_OK);
	/* only http and https */
	assert_int_equal(check("127.0.0.1", "ftp://127.0.0.1/"), KAM_EINVAL);
	assert_int_equal(check("127.0.0.1", "gopher://127.0.0.1/"), KAM_EINVAL);
	assert_int_equal(check("", "file:///etc/passwd"), KAM_EINVAL);
	assert_int_equal(check("", "//example.com/x"), KAM_EINVAL);
	assert_int_equal(check("", "javascript:alert(1)"), KAM_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sign_spec_example),
	    cmocka_unit_test(test_private_addresses),
	    cmocka_unit_test(test_url_checks),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
