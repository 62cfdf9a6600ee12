/* The plan document's pure parts: escaping, money, numbers, chart scale, file name, HTML. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "kam/plandoc.h"

static void test_escape(void **state)
{
	struct buf b = {0};

	(void)state;
	plandoc_put_escaped(&b, "<script>alert('x') & \"y\"</script>");
	assert_string_equal(b.data,
	                    "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
	plandoc_put_escaped(&b, NULL);
	free(b.data);
}

static void test_money_and_numbers(void **state)
{
	char buf[64];
	json_t *v;

	(void)state;
	plandoc_money(672804612, "EUR", buf, sizeof(buf));
	assert_string_equal(buf, "EUR 6,728,046");
	plandoc_money(-123450, "USD", buf, sizeof(buf));
	assert_string_equal(buf, "-USD 1,235"); /* rounded half away from zero */
	plandoc_money(0, "EUR", buf, sizeof(buf));
	assert_string_equal(buf, "EUR 0");
	/* the currency's own digits: yen have none, dinars three */
	plandoc_money(12000000, "JPY", buf, sizeof(buf));
	assert_string_equal(buf, "JPY 12,000,000");
	plandoc_money(1000, "KWD", buf, sizeof(buf));
	assert_string_equal(buf, "KWD 1");
	plandoc_money(1234567, "KWD", buf, sizeof(buf));
	assert_string_equal(buf, "KWD 1,235");
	v = json_real(26.5285);
	plandoc_number(v, buf, sizeof(buf));
	assert_string_equal(buf, "26.53");
	json_decref(v);
	v = json_real(100.0);
	plandoc_number(v, buf, sizeof(buf));
	assert_string_equal(buf, "100");
	json_decref(v);
	plandoc_number(json_null(), buf, sizeof(buf));
	assert_string_equal(buf, "-");
	v = json_real(1.0421);
	plandoc_percent(v, buf, sizeof(buf));
	assert_string_equal(buf, "104.2%");
	json_decref(v);
}

static void test_axis_max(void **state)
{
	(void)state;
	assert_true(plandoc_axis_max(0) == 1);
	assert_true(plandoc_axis_max(-5) == 1);
	assert_true(plandoc_axis_max(1) == 1);
	assert_true(plandoc_axis_max(1.5) == 2);
	assert_true(plandoc_axis_max(2.2) == 2.5);
	assert_true(plandoc_axis_max(73000000) == 100000000);
	assert_true(plandoc_axis_max(4100) == 5000);
	assert_true(plandoc_axis_max(5000) == 5000);
}

static void test_filename(void **state)
{
	json_t *doc = json_pack("{s:{s:s},s:{s:s}}", "account", "name", "Zürich \"Öl\"; rm -rf /",
	                        "plan", "period_start", "2026-01-01");
	char buf[128];

	(void)state;
	plandoc_filename(doc, "pdf", buf, sizeof(buf));
	assert_string_equal(buf, "plan-z-rich-l-rm-rf-2026.pdf");
	json_decref(doc);
	doc = json_object();
	plandoc_filename(doc, "html", buf, sizeof(buf));
	assert_string_equal(buf, "plan-account-0000.html");
	json_decref(doc);
}

static void test_html(void **state)
{
	json_t *doc = json_pack(
	    "{s:s,s:s,s:{s:s,s:s,s:n},s:{s:s,s:s,s:s,s:s,s:s},s:[{s:s,s:b,s:s,s:s}],s:[],s:[],"
	    "s:[],s:{},s:[{s:s,s:i},{s:s,s:i}]}",
	    "generated_on", "2026-05-01", "currency", "EUR", "account", "name", "<b>Acme</b>",
	    "tier", "key", "owner", "plan", "title", "P", "period_start", "2026-01-01",
	    "period_end", "2026-12-31", "status", "active", "situation", "a & b", "actions",
	    "title", "Call <them>", "overdue", 1, "status", "open", "due_on", "2026-01-02",
	    "objectives", "stakeholders", "risks", "kpis", "revenue_by_month", "month", "2026-03",
	    "amount", 500, "month", "2026-04", "amount", 0);
	char *html = NULL;
	size_t len = 0;

	(void)state;
	assert_non_null(doc);
	assert_int_equal(plandoc_html(doc, &html, &len), 0);
	assert_int_equal(strlen(html), len);
	assert_non_null(strstr(html, "<h1>&lt;b&gt;Acme&lt;/b&gt;</h1>"));
	assert_non_null(strstr(html, "a &amp; b"));
	assert_non_null(strstr(html, "<tr class=\"overdue\"><td>Call &lt;them&gt;</td>"));
	assert_non_null(strstr(html, "OVERDUE"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<b>Acme"));
	free(html);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape),   cmocka_unit_test(test_money_and_numbers),
	    cmocka_unit_test(test_axis_max), cmocka_unit_test(test_filename),
	    cmocka_unit_test(test_html),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
