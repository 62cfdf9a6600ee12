// The DuckDB reference of bench/kpi.sh: loads the raw rows (CSV exported from the same
// database) into an in-memory DuckDB and times the NRR query of DESIGN §6 on them.
// usage: node duckdb-nrr.mjs accounts.csv transactions.csv FROM TO PFROM RUNS TODAY CHURN_MONTHS
// (the cohort with kam's inferred lifecycle dates, as in bench/kpi.sh)
import { DuckDBInstance } from '@duckdb/node-api';

const [accounts, transactions, from, to, pfrom, runs = '5', today, churn = '12'] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
let t0 = performance.now();
await c.run(`CREATE TABLE accounts AS SELECT * FROM read_csv_auto('${accounts}', header = true)`);
await c.run(`CREATE TABLE transactions AS SELECT * FROM read_csv_auto('${transactions}', header = true)`);
const load = performance.now() - t0;
const q = `
WITH mon AS (
  SELECT account_id, strftime(booked_on, '%Y-%m') AS m, sum(amount_base) AS s FROM transactions GROUP BY ALL),
span AS (
  SELECT account_id, min(m) AS first, max(CASE WHEN s <> 0 THEN m END) AS last FROM mon GROUP BY account_id),
life AS (
  SELECT a.id, coalesce(CAST(a.acquired_on AS DATE), CAST(span.first || '-01' AS DATE)) AS acq,
    CAST(a.churned_on AS DATE) AS churned_on, CAST(CAST(span.last || '-01' AS DATE) + INTERVAL 1 MONTH AS DATE) AS after
  FROM accounts a LEFT JOIN span ON span.account_id = a.id),
life2 AS (
  SELECT id, acq, coalesce(churned_on, CASE WHEN after IS NOT NULL AND after + INTERVAL (${Number(churn)}) MONTH <= DATE '${today}'
    AND (acq IS NULL OR after > acq) THEN after END) AS churn FROM life),
cohort AS (
  SELECT id FROM life2 WHERE acq IS NOT NULL AND acq < DATE '${from}'
    AND (churn IS NULL OR churn >= DATE '${from}')),
r AS (
  SELECT t.account_id,
    sum(CASE WHEN t.booked_on >= DATE '${from}' AND t.booked_on < DATE '${to}' THEN t.amount_base ELSE 0 END) AS cur,
    sum(CASE WHEN t.booked_on >= DATE '${pfrom}' AND t.booked_on < DATE '${from}' THEN t.amount_base ELSE 0 END) AS prev
  FROM transactions t JOIN cohort ON cohort.id = t.account_id GROUP BY t.account_id)
SELECT sum(cur) / sum(prev) AS nrr, sum(cur) AS num, sum(prev) AS den FROM r`;
const times = [];
let answer;
for (let i = 0; i < Number(runs); i++) {
  t0 = performance.now();
  const res = await c.runAndReadAll(q);
  times.push(performance.now() - t0);
  answer = res.getRowObjects()[0];
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ load_ms: load, median_ms: times[Math.floor(times.length / 2)], nrr: Number(answer.nrr), num: Number(answer.num), den: Number(answer.den) }));
