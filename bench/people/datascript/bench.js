// The DataScript side of the people comparison (bench/people): loads the
// shared EDN data file (people_gen), runs each workload of
// bench/people/workloads.hpp many times through DataScript's JS API, and
// prints the median time of one run per workload as JSON on stdout:
//   {"about":"datascript 1.8.1, node v20...","load_ms":..,
//    "results":{"q1":{"median_ms":..,"runs":..,"rows":..,"answer":".."},...}}
// "answer" fingerprints a query's rows (see answerDigest) so that
// people_compare can check DataScript's answer against SQLite's.
//
//   node bench.js DATA.edn [--seconds S]
//
// DataScript's JS API names attributes by strings, so the queries below are
// workloads.hpp's with "name" for :name; a keyword value (:male) is the
// string ":male" in the data and the queries. Timing follows DataScript's own
// bench (bench/datascript/bench/bench.cljc): a warm-up, then runs for a fixed
// time; here each run is timed on its own and the median taken, as
// people_compare does for the other systems.
'use strict';

const fs = require('fs');
const d = require('datascript');
const edn = require('./edn');

const kWideRules =
  '[[(follows ?x ?y) [?x "follows" ?y]] [(follows ?x ?y) [?x "follows" ?t] (follows ?t ?y)]]';
const kLongRules =
  '[[(follows ?x ?y) [?x "follows-long" ?y]]' +
  ' [(follows ?x ?y) [?x "follows-long" ?t] (follows ?t ?y)]]';
const kPullTree = '[:db/id "last-name" "alias" "sex" "age" "salary" {"follows" ...}]';
const kPullMany = '[:db/id "last-name" "alias" "sex" "age" "salary" "follows"]';
const kMinSalary = 50000;

function parseArgs(argv) {
  const args = { data: null, seconds: 1.5 };
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === '--seconds') args.seconds = Number(argv[++i]);
    else if (!args.data) args.data = argv[i];
    else throw new Error(`usage: node bench.js DATA.edn [--seconds S]`);
  }
  if (!args.data) throw new Error(`usage: node bench.js DATA.edn [--seconds S]`);
  return args;
}

// EDN values of the data file as DataScript's JS API takes them.
function toJs(v) {
  if (v instanceof edn.Keyword) return v.toString();
  if (Array.isArray(v)) return v.map(toJs);
  return v;
}

function schemaOf(schemaTx) {
  const schema = {};
  for (const attr of schemaTx) {
    const spec = {};
    if (attr[':db/cardinality'].name === 'db.cardinality/many') {
      spec[':db/cardinality'] = ':db.cardinality/many';
    }
    // DataScript only knows refs (and tuples); other value types are untyped.
    if (attr[':db/valueType'].name === 'db.type/ref') spec[':db/valueType'] = ':db.type/ref';
    // DataScript keeps AVET only for these (the attributes the queries filter on).
    if (attr[':db/index'] === true) spec[':db/index'] = true;
    schema[attr[':db/ident'].name] = spec;
  }
  return schema;
}

function entitiesOf(peopleTx) {
  return peopleTx.map((m) => {
    const e = {};
    for (const [k, v] of Object.entries(m)) e[k === ':db/id' ? k : k.slice(1)] = toJs(v);
    return e;
  });
}

// The person numbers of the wide tree, breadth-first from person 1 (as
// WideTree in people_data.cpp).
function wideTree(peopleTx) {
  const follows = new Map();
  for (const m of peopleTx) follows.set(m[':db/id'], m[':follows'] || []);
  const order = [];
  const queue = ['p1'];
  while (queue.length > 0) {
    const p = queue.shift();
    order.push(p);
    queue.push(...follows.get(p));
  }
  return order;
}

function countPulled(m) {
  let n = 1;
  for (const child of m.follows || []) n += countPulled(child);
  return n;
}

// The answer of a query as people_compare's ResultSet (workloads.hpp): each
// row's cells joined by '|', the first `entityColumns` as person numbers, the
// rows sorted (by UTF-16 code units, which for this data is byte order); then
// FNV-1a 64 over the rows joined by '\n', as 16 hex digits.
function answerDigest(rows, entityColumns, numberOf) {
  const lines = rows
    .map((row) => row.map((cell, c) => (c < entityColumns ? numberOf.get(cell) : cell)).join('|'))
    .sort();
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(lines.join('\n'), 'utf8')) {
    h = ((h ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

function entityColumns(name) {
  return name.startsWith('rules-') ? 2 : name.startsWith('pull-') ? 0 : 1;
}

function workloads(db, root, treeEids) {
  // A query workload's run returns its rows; time() counts them.
  const q = (query, ...inputs) => () => d.q(query, db, ...inputs);
  return [
    ['q1', q('[:find ?e :where [?e "name" "Ivan"]]')],
    ['q2', q('[:find ?e ?a :where [?e "name" "Ivan"] [?e "age" ?a]]')],
    ['q3', q('[:find ?e ?a :where [?e "name" "Ivan"] [?e "age" ?a] [?e "sex" ":male"]]')],
    [
      'q4',
      q(
        '[:find ?e ?l ?a :where [?e "name" "Ivan"] [?e "last-name" ?l] [?e "age" ?a]' +
          ' [?e "sex" ":male"]]',
      ),
    ],
    ['qpred1', q('[:find ?e ?s :where [?e "salary" ?s] [(> ?s 50000)]]')],
    [
      'qpred2',
      q('[:find ?e ?s :in $ ?min_s :where [?e "salary" ?s] [(> ?s ?min_s)]]', kMinSalary),
    ],
    ['pull-tree', () => countPulled(d.pull(db, kPullTree, root))],
    ['pull-many', () => d.pull_many(db, kPullMany, treeEids).length],
    ['rules-wide-4x5', q('[:find ?e ?e2 :in $ % :where (follows ?e ?e2)]', kWideRules)],
    ['rules-long-30x5', q('[:find ?e ?e2 :in $ % :where (follows ?e ?e2)]', kLongRules)],
  ];
}

function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

function time(run, seconds) {
  const kMinRuns = 5;
  const kMaxRuns = 20000;
  const count = (result) => (Array.isArray(result) ? result.length : result);
  let rows = 0;
  // Warm-up: lets V8 optimise the paths this workload takes.
  const warmEnd = nowMs() + Math.min(500, seconds * 300);
  for (let i = 0; i < 3 || (i < 1000 && nowMs() < warmEnd); i++) rows = count(run());
  const samples = [];
  const end = nowMs() + seconds * 1000;
  while (samples.length < kMaxRuns && (samples.length < kMinRuns || nowMs() < end)) {
    const start = nowMs();
    const n = count(run());
    samples.push(nowMs() - start);
    if (n !== rows) throw new Error(`rows changed from ${rows} to ${n}`);
  }
  return { median_ms: median(samples), runs: samples.length, rows };
}

function main() {
  const args = parseArgs(process.argv);
  const [schemaTx, peopleTx] = edn.read(fs.readFileSync(args.data, 'utf8'));
  const loadStart = nowMs();
  const conn = d.create_conn(schemaOf(schemaTx));
  const report = d.transact(conn, entitiesOf(peopleTx));
  const db = d.db(conn);
  const loadMs = nowMs() - loadStart;
  const eid = (p) => d.resolve_tempid(report.tempids, p);
  const treeEids = wideTree(peopleTx).map(eid);

  const numberOf = new Map(peopleTx.map((m) => [eid(m[':db/id']), Number(m[':db/id'].slice(1))]));

  const version = require('datascript/package.json').version;
  const results = {};
  for (const [name, run] of workloads(db, eid('p1'), treeEids)) {
    const columns = entityColumns(name);
    const answer = columns > 0 ? answerDigest(run(), columns, numberOf) : '';
    results[name] = { ...time(run, args.seconds), answer };
    const r = results[name];
    process.stderr.write(
      `  datascript ${name}: ${r.median_ms.toFixed(3)} ms (${r.runs} runs, ${r.rows} rows)\n`,
    );
  }
  process.stdout.write(
    JSON.stringify({
      about: `datascript ${version}, node ${process.version}`,
      load_ms: loadMs,
      results,
    }) + '\n',
  );
}

main();
