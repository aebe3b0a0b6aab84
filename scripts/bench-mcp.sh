#!/usr/bin/env bash
# bench-mcp.sh - how fast helios-mcp serves, side by side with the
# reference filesystem MCP server from npm reading the same files.
#
#	bash scripts/bench-mcp.sh [PATH-TO-helios-mcp]
#
# Without an argument, build/bin/helios-mcp is used (built with cmake in
# build/ when missing).  Needs node and npm; the reference server
# (@modelcontextprotocol/server-filesystem, pinned below) is installed
# with npm into a temporary directory that is removed at the end.
#
# On one store of 100 personas it measures, for each server:
#   - spawn to initialize: from spawning the process to the initialize
#     response (median and best of 20 spawns);
#   - per-call latency, p50 and p99 over 1,000 sequential calls after 50
#     warm-up calls: helios merge_behaviors and get_active_persona, and
#     what the reference server does for the same files
#     (read_multiple_files of the base and the persona; read_text_file
#     of the persona);
#   - peak RSS (VmHWM) of the server process after the calls;
#   - then one write (helios learn_behavior, which validates and commits;
#     the reference server's write_file of the same file) and the peak
#     RSS after it: helios-mcp starts libgit2 only for its first change.
# Figures and the reference/helios ratios go to stdout.  Not run by ctest.
set -euo pipefail

REF_PKG=@modelcontextprotocol/server-filesystem
REF_VERSION=2026.8.31
PERSONAS=100
CALLS=1000
WARMUP=50
SPAWNS=20

top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/bin/helios-mcp}
if [ ! -x "$bin" ] && [ $# -eq 0 ]; then
	cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		>/dev/null
	cmake --build "$top/build" -j"$(nproc)" --target helios-mcp >/dev/null
fi
[ -x "$bin" ] || { echo "bench-mcp: no helios-mcp at $bin" >&2; exit 2; }
command -v node >/dev/null && command -v npm >/dev/null ||
	{ echo "bench-mcp: node and npm are needed" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/helios-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "installing $REF_PKG@$REF_VERSION into a temporary directory..." >&2
(cd "$tmp" && npm init -y >/dev/null &&
 npm install --no-audit --no-fund --loglevel=error \
	"$REF_PKG@$REF_VERSION" >/dev/null) ||
	{ echo "bench-mcp: npm install failed" >&2; exit 1; }
ref_main=$(cd "$tmp" && node -e \
	"const p=require('./node_modules/$REF_PKG/package.json');
	 const b=typeof p.bin==='string'?p.bin:Object.values(p.bin)[0];
	 console.log(require('path').resolve('node_modules/$REF_PKG', b))")

# the store: bootstrapped by helios-mcp, then 100 personas in one commit
store=$tmp/store
HOME=$tmp "$bin" serve --helios-dir "$store" </dev/null >/dev/null 2>&1
for i in $(seq -w 1 $PERSONAS); do
	cat >"$store/personas/p$i.yaml" <<EOF
# benchmark persona $i
specialization_level: $(( (10#$i % 5) + 1 ))
behaviors:
  tone: tone $i
  code_review:
    depth: level $i
    nits: false
  languages: [c, sh, yaml]
EOF
done
git -C "$store" add personas >/dev/null
git -C "$store" -c user.name=bench -c user.email=bench@localhost \
	commit -qm "benchmark personas"

cat >"$tmp/bench.mjs" <<'EOF'
// One server at a time over stdio: spawn-to-initialize, then sequential
// tool calls timed from write to the matching response line.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [kind, cmd, store, calls, warmup, spawns, personas] =
	process.argv.slice(2);
const args = kind === 'helios' ? ['serve', '--helios-dir', store] : [store];

function start() {
	const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'ignore'] });
	let buf = '';
	const waiting = new Map();
	child.stdout.setEncoding('utf8');
	child.stdout.on('data', (d) => {
		buf += d;
		let nl;
		while ((nl = buf.indexOf('\n')) >= 0) {
			const line = buf.slice(0, nl);
			buf = buf.slice(nl + 1);
			const m = JSON.parse(line);
			const w = waiting.get(m.id);
			if (w) {
				waiting.delete(m.id);
				w(m);
			}
		}
	});
	let id = 0;
	const request = (method, params) => new Promise((resolve) => {
		const my = ++id;
		waiting.set(my, resolve);
		child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: my,
			method, params }) + '\n');
	});
	return { child, request };
}

const init = { protocolVersion: '2025-11-25', capabilities: {},
	clientInfo: { name: 'bench', version: '1' } };
const stop = (s) => new Promise((resolve) => {
	s.child.on('exit', resolve);
	s.child.stdin.end();
});
const quantile = (xs, q) => {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

const startup = [];
for (let i = 0; i < Number(spawns); i++) {
	const t0 = performance.now();
	const s = start();
	const r = await s.request('initialize', init);
	startup.push(performance.now() - t0);
	if (!r.result) throw new Error(`initialize failed: ${JSON.stringify(r)}`);
	await stop(s);
}

const s = start();
await s.request('initialize', init);
s.child.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
const name = (i) => `p${String(i % Number(personas) + 1).padStart(3, '0')}`;
const ops = kind === 'helios' ? {
	merge: (i) => ['merge_behaviors', { persona_name: name(i) }],
	persona: (i) => ['get_active_persona', { persona_name: name(i) }],
} : {
	merge: (i) => ['read_multiple_files', { paths: [
		`${store}/base/identity.yaml`, `${store}/personas/${name(i)}.yaml`] }],
	persona: (i) => ['read_text_file',
		{ path: `${store}/personas/${name(i)}.yaml` }],
};
const out = { kind, startup_median_ms: quantile(startup, 0.5),
	startup_min_ms: Math.min(...startup) };
for (const [op, make] of Object.entries(ops)) {
	const times = [];
	for (let i = 0; i < Number(warmup) + Number(calls); i++) {
		const [tool, a] = make(i);
		const t0 = performance.now();
		const r = await s.request('tools/call', { name: tool, arguments: a });
		const dt = performance.now() - t0;
		if (!r.result || r.result.isError)
			throw new Error(`${tool} failed: ${JSON.stringify(r).slice(0, 300)}`);
		if (i >= Number(warmup))
			times.push(dt);
	}
	out[`${op}_p50_ms`] = quantile(times, 0.5);
	out[`${op}_p99_ms`] = quantile(times, 0.99);
}
const status = readFileSync(`/proc/${s.child.pid}/status`, 'utf8');
out.peak_rss_kib = Number(/VmHWM:\s+(\d+)/.exec(status)[1]);
out.anon_rss_kib = Number(/RssAnon:\s+(\d+)/.exec(status)[1]);
// Then one write: helios starts libgit2 only for its first change.
const own = `${store}/personas/${name(0)}.yaml`;
const [wtool, wargs] = kind === 'helios' ?
	['learn_behavior', { persona: name(0), key: 'bench_note', value: 'x' }] :
	['write_file', { path: own, content: readFileSync(own, 'utf8') }];
const tw = performance.now();
const rw = await s.request('tools/call', { name: wtool, arguments: wargs });
out.write_ms = performance.now() - tw;
if (!rw.result || rw.result.isError)
	throw new Error(`${wtool} failed: ${JSON.stringify(rw).slice(0, 300)}`);
const status2 = readFileSync(`/proc/${s.child.pid}/status`, 'utf8');
out.write_rss_kib = Number(/VmHWM:\s+(\d+)/.exec(status2)[1]);
await stop(s);
console.log(JSON.stringify(out));
EOF

echo "measuring helios-mcp..." >&2
h=$(node "$tmp/bench.mjs" helios "$bin" "$store" $CALLS $WARMUP $SPAWNS \
	$PERSONAS)
echo "measuring $REF_PKG..." >&2
r=$(node "$tmp/bench.mjs" ref "$ref_main" "$store" $CALLS $WARMUP $SPAWNS \
	$PERSONAS)

node - "$h" "$r" "$REF_PKG@$REF_VERSION" $PERSONAS $CALLS <<'EOF'
const [h, r, ref, personas, calls] = process.argv.slice(2);
const H = JSON.parse(h), R = JSON.parse(r);
const rows = [
	['spawn to initialize, median (ms)', 'startup_median_ms', 10],
	['spawn to initialize, best (ms)', 'startup_min_ms'],
	['merge_behaviors p50 (ms)', 'merge_p50_ms', 0.5],
	['merge_behaviors p99 (ms)', 'merge_p99_ms'],
	['get_active_persona p50 (ms)', 'persona_p50_ms', 0.5],
	['get_active_persona p99 (ms)', 'persona_p99_ms'],
	['peak RSS (MiB)', 'peak_rss_kib', 8],
	['  of it private/anonymous (MiB)', 'anon_rss_kib'],
	['then one write (ms)', 'write_ms'],
	['peak RSS after that write (MiB)', 'write_rss_kib'],
];
const fmt = (k, v) => k.endsWith('_kib') ? (v / 1024).toFixed(2) : v.toFixed(3);
console.log(`store: ${personas} personas; ${calls} calls per tool after warm-up; ` +
	`load average ${require('os').loadavg()[0].toFixed(1)} on ${require('os').cpus().length} CPUs`);
console.log(`reference: ${ref} (merge_behaviors -> read_multiple_files of`);
console.log('  base + persona; get_active_persona -> read_text_file)');
console.log('');
console.log('metric'.padEnd(36) + 'helios'.padStart(10) + 'reference'.padStart(12) +
	'ref/helios'.padStart(12) + '  target');
for (const [label, k, target] of rows) {
	const ratio = R[k] / H[k];
	const goal = target === undefined ? '' :
		`  < ${target} ${H[k] <= (k === 'peak_rss_kib' ? target * 1024 : target) ? 'met' : 'MISSED'}`;
	console.log(label.padEnd(36) + fmt(k, H[k]).padStart(10) +
		fmt(k, R[k]).padStart(12) + `${ratio.toFixed(1)}x`.padStart(12) + goal);
}
EOF
