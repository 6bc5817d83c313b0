// The DataScript side of the differential test (differential_test.cpp).
//
//   node tests/differential/run.js DIR
//
// For every DIR/case-SEED.json the C++ side wrote (schema, transactions,
// queries; see generator.hpp), loads the data into a fresh DataScript
// connection through its JS API, runs each query and writes
// DIR/case-SEED.out.edn:
//
//   [{"e0" 1 "e1" 2 ...}                 ; entity label -> DataScript id
//    [{"ok" RESULT} {"error" "msg"} ...]] ; one per query, in order
//
// Results are written as EDN so that the C++ side reads them with accrete's
// own reader and normalises both systems' answers with one piece of code.
// Exits 3 when the datascript package is not installed.
'use strict';

const fs = require('fs');
const path = require('path');

let d;
try {
  d = require('datascript');
} catch (e) {
  process.stderr.write(
    `run.js: cannot load the npm package datascript (${e.message}).\n` +
      `Install it with: npm ci --prefix ${path.relative(process.cwd(), __dirname) || '.'}\n`,
  );
  process.exit(3);
}

// A JS value (what DataScript's JS API returns) as EDN text.
function edn(x) {
  if (x === null || x === undefined) return 'nil';
  if (typeof x === 'number') {
    if (Number.isNaN(x)) return '##NaN';
    if (!Number.isFinite(x)) return x > 0 ? '##Inf' : '##-Inf';
    return String(x);
  }
  if (typeof x === 'boolean') return String(x);
  if (typeof x === 'string') return JSON.stringify(x);
  if (Array.isArray(x)) return '[' + x.map(edn).join(' ') + ']';
  if (typeof x === 'object') {
    return '{' + Object.entries(x).map(([k, v]) => JSON.stringify(k) + ' ' + edn(v)).join(' ') + '}';
  }
  throw new Error(`cannot print ${typeof x} as EDN`);
}

function runCase(file) {
  const c = JSON.parse(fs.readFileSync(file, 'utf8'));
  const conn = d.create_conn(c.schema);
  const ids = {};
  const entity = (label) => (label in ids ? ids[label] : label); // else a tempid
  const value = (v) => (v !== null && typeof v === 'object' ? entity(v.ref) : v);
  for (const tx of c.txs) {
    const forms = tx.map((op) => {
      if (op[0] === 'retractEntity') return [':db/retractEntity', entity(op[1])];
      return [op[0] === 'add' ? ':db/add' : ':db/retract', entity(op[1]), op[2], value(op[3])];
    });
    const report = d.transact(conn, forms);
    for (const op of tx) {
      if (op[0] === 'add' && !(op[1] in ids)) ids[op[1]] = d.resolve_tempid(report.tempids, op[1]);
    }
  }
  const db = d.db(conn);
  const trace = process.env.ACCRETE_DIFF_TRACE;
  const results = c.queries.map((query, i) => {
    if (trace) process.stderr.write(`seed ${c.seed} query ${i}: ${query.q}\n`);
    const start = Date.now();
    try {
      return { ok: d.q(query.q, db, ...query.inputs) };
    } catch (e) {
      return { error: String((e && e.message) || e) };
    } finally {
      if (trace) process.stderr.write(`  ${Date.now() - start} ms\n`);
    }
  });
  return '[' + edn(ids) + '\n[' + results.map(edn).join('\n') + ']]\n';
}

function main() {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node run.js DIR\n');
    process.exit(2);
  }
  for (const name of fs.readdirSync(dir)) {
    const m = /^case-(\d+)\.json$/.exec(name);
    if (!m) continue;
    fs.writeFileSync(path.join(dir, `case-${m[1]}.out.edn`), runCase(path.join(dir, name)));
  }
}

main();
