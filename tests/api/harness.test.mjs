// The harness fails a test file whose server wrote a sanitizer report: these are the report
// shapes of ASan, LSan and UBSan as the sanitizer build prints them, and log lines that are not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sanitizerReport } from '../lib/harness.mjs';

const log = '{"level":"info","msg":"serving on http://127.0.0.1:8080/"}\n';

test('an ASan, LSan or UBSan report is found, from its first line on', () => {
  for (const r of [
    '=================================================================\n==4242==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x6020000000f1\nREAD of size 1\n',
    '==4242==ERROR: LeakSanitizer: detected memory leaks\n\nDirect leak of 24 byte(s)\n',
    'src/kam/money.c:41:12: runtime error: signed integer overflow: 9223372036854775807 + 1 cannot be represented in type \'long int\'\n',
  ]) {
    const found = sanitizerReport(log + r);
    assert.ok(found, r);
    assert.ok(found.startsWith(r.split('\n').find((l) => /ERROR|runtime error/.test(l))), found);
  }
});

test('ordinary log lines, including a request about "runtime errors", are not reports', () => {
  assert.equal(sanitizerReport(log), null);
  assert.equal(sanitizerReport(log + '{"level":"warn","msg":"GET /api/v1/search?q=runtime+error 400"}\n'), null);
});
