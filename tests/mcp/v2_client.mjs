// v2_client.mjs - drive the real helios-mcp server with the v2 MCP client
// (@modelcontextprotocol/client) in its automatic version negotiation: it
// probes server/discover, finds 2026-07-28 and speaks the stateless era
// (no initialize, _meta on every request, resultType on every result).
//
//	node v2_client.mjs HELIOS-MCP STORE-DIR
//
// Prints "ok   ..." per check and exits non-zero on the first failure.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const [bin, store] = process.argv.slice(2);
const git = (...args) =>
	execFileSync('git', ['-C', store, ...args], { encoding: 'utf8' }).trim();
const readRel = (rel) => readFileSync(`${store}/${rel}`, 'utf8');
const ok = (what) => console.log(`ok   ${what}`);

// Every message the server wrote, as the client's transport parsed it.
const wire = [];
const transport = new StdioClientTransport({
	command: bin,
	args: ['serve', '--helios-dir', store],
	env: { PATH: process.env.PATH, HOME: process.env.HOME },
	stderr: 'inherit',
});
const client = new Client({ name: 'helios-v2-test', version: '1.0.0' },
	{ versionNegotiation: { mode: 'auto' } });

const waiters = [];
function expectNotification(method, pred, ms = 15000) {
	return new Promise((resolve, reject) => {
		waiters.push({ method, pred, resolve });
		setTimeout(() => reject(new Error(`no ${method} within ${ms} ms`)), ms);
	});
}
function deliver(n) {
	for (const w of waiters.splice(0)) {
		if (w.method === n.method && w.pred(n.params)) w.resolve(n.params);
		else waiters.push(w);
	}
}
for (const m of ['notifications/resources/updated',
	'notifications/resources/list_changed'])
	client.setNotificationHandler(m, deliver);

await client.connect(transport);
const sdkOnMessage = transport.onmessage;
transport.onmessage = (m, extra) => {
	wire.push(m);
	sdkOnMessage(m, extra);
};

// negotiation: discover found the stateless revision, no initialize
assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28');
assert.equal(client.getProtocolEra(), 'modern');
assert.equal(client.getServerVersion().name, 'helios');
const caps = client.getServerCapabilities();
assert.deepEqual(caps.resources, { subscribe: true, listChanged: true });
assert.ok(caps.tools && caps.prompts && caps.completions);
assert.equal(caps.logging, undefined);
ok('auto negotiation: server/discover, protocol 2026-07-28, capabilities');

// tools/list over every page, each with schemas, title and annotations
const { tools } = await client.listTools();
assert.deepEqual(tools.map((t) => t.name).sort(), ['commit_changes',
	'create_persona', 'delete_persona', 'diff', 'evolve_behavior',
	'get_active_persona', 'get_base_config', 'get_history', 'get_snapshot',
	'learn_behavior', 'list_personas', 'merge_behaviors', 'restore',
	'revert_learning', 'search_patterns', 'tune_weight',
	'update_preference']);
for (const t of tools) {
	assert.equal(t.outputSchema.type, 'object', t.name);
	assert.equal(typeof t.annotations.destructiveHint, 'boolean', t.name);
}
const lists = wire.filter((m) => m.result && m.result.tools);
assert.ok(lists.length > 1, 'tools/list is paginated');
for (const m of lists) {
	assert.equal(m.result.resultType, 'complete');
	assert.equal(typeof m.result.ttlMs, 'number');
	assert.equal(m.result.cacheScope, 'private');
}
ok(`tools/list: ${tools.length} tools in ${lists.length} pages, resultType, ttlMs`);

const call = (name, args) => client.callTool({ name, arguments: args });
let r = await call('get_active_persona', { persona_name: 'welcome' });
assert.equal(r.structuredContent.config.specialization_level, 1);
r = await call('get_active_persona', { persona_name: 'nobody' });
assert.equal(r.isError, true);
assert.match(r.content[0].text, /existing personas: welcome/);
r = await call('merge_behaviors', { persona_name: 'welcome' });
assert.equal(r.structuredContent.inheritance_weight, 0.7);
r = await call('list_personas', {});
assert.deepEqual(r.structuredContent.personas.map((p) => p.name), ['welcome']);
ok('reading tools, and a missing persona as an error result');

// a listen stream: the server acknowledges the filter, then tags every
// change notification with the stream's id
const sub = await client.listen({ resourcesListChanged: true,
	toolsListChanged: true,
	resourceSubscriptions: ['helios://personas/welcome', 'helios://base'] });
assert.deepEqual(sub.honoredFilter, { resourcesListChanged: true,
	resourceSubscriptions: ['helios://personas/welcome', 'helios://base'] });
const ack = wire.find((m) => m.method === 'notifications/subscriptions/acknowledged');
const sid = ack.params._meta['io.modelcontextprotocol/subscriptionId'];
assert.equal(typeof sid, 'string');
ok('subscriptions/listen acknowledged with the honoured filter');

// a change by a tool
let updated = expectNotification('notifications/resources/updated',
	(p) => p.uri === 'helios://personas/welcome');
const before = readRel('personas/welcome.yaml');
r = await call('learn_behavior', { persona: 'welcome', key: 'tone', value: 'warm' });
assert.equal(r.isError, undefined, r.content[0].text);
let n = await updated;
assert.equal(n._meta['io.modelcontextprotocol/subscriptionId'], sid);
assert.equal(readRel('personas/welcome.yaml'), before + '  tone: warm\n');
ok('learn_behavior: comments kept; resources/updated on the listen stream');

// a change through git (checkout of an older version)
updated = expectNotification('notifications/resources/updated',
	(p) => p.uri === 'helios://personas/welcome');
git('checkout', 'HEAD~1', '--', 'personas/welcome.yaml');
await updated;
git('checkout', 'HEAD', '--', 'personas/welcome.yaml');
ok('resources/updated after a git checkout');

// a persona created, then the listen stream closed by the client
const listChanged = expectNotification('notifications/resources/list_changed',
	(p) => p._meta['io.modelcontextprotocol/subscriptionId'] === sid);
r = await call('create_persona', { name: 'reviewer',
	specialization_level: 3, behaviors: { depth: 'high' } });
assert.equal(r.isError, undefined, r.content[0].text);
await listChanged;
await sub.close();
assert.equal(await sub.closed, 'local');
// A notification the server sent before it read the cancel is still in
// flight (the git checkout above restores the file, and its inotify event
// may be handled late).  One round trip after the cancel: every message
// the server wrote before handling it has arrived once the reply has.
r = await call('list_personas', {});
assert.equal(r.isError, undefined, r.content[0].text);
const count = wire.length;
r = await call('delete_persona', { name: 'reviewer' });
assert.equal(r.isError, undefined, r.content[0].text);
await new Promise((res) => setTimeout(res, 500));
assert.equal(wire.slice(count).filter((m) => m.method).length, 0,
	'no notification after the stream was cancelled');
ok('resources/list_changed on the stream; nothing after close()');

// changing tools, one commit each, validated
const head0 = git('rev-parse', 'HEAD');
r = await call('evolve_behavior', { from_config: 'welcome',
	to_config: 'base', key: 'tone' });
assert.equal(r.isError, undefined, r.content[0].text);
assert.equal(git('rev-parse', 'HEAD~1'), head0);
assert.equal(git('show', '--name-only', '--format=', 'HEAD'),
	'base/identity.yaml\npersonas/welcome.yaml');
r = await call('tune_weight', { target: 'welcome',
	parameter: 'specialization_level', value: 0 });
assert.equal(r.isError, true);
r = await call('revert_learning', { commits_back: 2 });
assert.equal(r.isError, undefined, r.content[0].text);
assert.equal(r.structuredContent.commits.length, 2);
// the move is undone and the deleted persona is back
assert.equal(readRel('personas/welcome.yaml'), before + '  tone: warm\n');
assert.match(readRel('personas/reviewer.yaml'), /depth: high/);
assert.equal(git('status', '--porcelain'), '');
ok('evolve_behavior in one commit; revert_learning of 2 commits');

writeFileSync(`${store}/personas/welcome.yaml`, before + '  extra: 1\n');
r = await call('commit_changes', { message: 'by hand' });
assert.equal(r.isError, undefined, r.content[0].text);
assert.deepEqual(r.structuredContent.files, ['personas/welcome.yaml']);
assert.equal(git('log', '-1', '--format=%s'), 'by hand (mcp commit_changes)');
ok('commit_changes');

// resources, prompts and completion in the stateless era
const res = await client.listResources();
assert.deepEqual(res.resources.map((x) => x.uri), ['helios://base',
	'helios://personas/reviewer', 'helios://merged/reviewer',
	'helios://personas/welcome', 'helios://merged/welcome']);
const rd = await client.readResource({ uri: 'helios://merged/welcome' });
assert.equal(rd.contents[0].mimeType, 'application/yaml');
await assert.rejects(client.readResource({ uri: 'helios://personas/nope' }),
	(e) => e.code === -32602);
const pr = await client.getPrompt({ name: 'compare',
	arguments: { a: 'welcome', b: 'welcome' } });
assert.equal(pr.messages[0].role, 'user');
const cmp = await client.complete({ ref: { type: 'ref/prompt', name: 'persona' },
	argument: { name: 'name', value: 'we' } });
assert.deepEqual(cmp.completion.values, ['welcome']);
for (const m of wire.filter((x) => x.result))
	assert.equal(m.result.resultType, 'complete', JSON.stringify(m).slice(0, 200));
ok('resources (not found is -32602), prompts, completion, resultType everywhere');

// cancellation of a request in flight: the abort sends
// notifications/cancelled; the server answers nothing for it
const ac = new AbortController();
const pending = client.callTool({ name: 'search_patterns',
	arguments: { query: 'e' } }, { signal: ac.signal });
ac.abort('test');
await assert.rejects(pending);
r = await call('get_base_config', {});
assert.equal(r.isError, undefined);
ok('cancellation: the client aborts, the server keeps serving');

await client.close();
ok('close');
