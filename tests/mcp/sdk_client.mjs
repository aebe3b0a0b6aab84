// sdk_client.mjs - drive the real helios-mcp server with the official MCP
// TypeScript SDK client (v1, handshake era) over stdio.
//
//	node sdk_client.mjs HELIOS-MCP STORE-DIR
//
// Prints "ok   ..." per check and exits non-zero on the first failure.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
	LoggingMessageNotificationSchema,
	ResourceListChangedNotificationSchema,
	ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';

const [bin, store] = process.argv.slice(2);
const git = (...args) =>
	execFileSync('git', ['-C', store, ...args], { encoding: 'utf8' }).trim();
const ok = (what) => console.log(`ok   ${what}`);

// Resolve when a notification matching pred arrives, fail after ms.
const waiters = [];
function expectNotification(method, pred, ms = 15000) {
	return new Promise((resolve, reject) => {
		const w = { method, pred, resolve };
		waiters.push(w);
		setTimeout(() => reject(new Error(`no ${method} within ${ms} ms`)), ms);
	});
}
function deliver(n) {
	for (const w of waiters.splice(0)) {
		if (w.method === n.method && w.pred(n.params)) w.resolve(n.params);
		else waiters.push(w);
	}
}

const transport = new StdioClientTransport({
	command: bin,
	args: ['serve', '--helios-dir', store],
	env: { PATH: process.env.PATH, HOME: process.env.HOME },
	stderr: 'inherit',
});
const client = new Client({ name: 'helios-sdk-test', version: '1.0.0' });
for (const schema of [ResourceUpdatedNotificationSchema,
	ResourceListChangedNotificationSchema,
	LoggingMessageNotificationSchema])
	client.setNotificationHandler(schema, deliver);

await client.connect(transport);
// Progress notifications as the SDK's transport parsed them, in order.
// The SDK runs notification handlers a tick later than responses and
// drops progress for requests already answered, so onprogress alone may
// see none of them when the answer came in the same read.
const wire = [];
const sdkOnMessage = transport.onmessage;
transport.onmessage = (m, extra) => {
	if (m.method === 'notifications/progress') wire.push(m.params);
	sdkOnMessage(m, extra);
};
const caps = client.getServerCapabilities();
assert.equal(client.getServerVersion().name, 'helios');
assert.deepEqual(caps.resources, { subscribe: true, listChanged: true });
assert.ok(caps.tools && caps.prompts && caps.logging && caps.completions);
ok('initialize (protocol 2025-11-25) and capabilities');

// tools/list, every page
let tools = [];
let cursor;
let pages = 0;
do {
	const page = await client.listTools(cursor ? { cursor } : {});
	tools = tools.concat(page.tools);
	cursor = page.nextCursor;
	pages++;
} while (cursor);
const names = tools.map((t) => t.name).sort();
assert.deepEqual(names, ['commit_changes', 'create_persona',
	'delete_persona', 'diff', 'evolve_behavior', 'get_active_persona',
	'get_base_config', 'get_history', 'get_snapshot', 'learn_behavior',
	'list_personas', 'merge_behaviors', 'restore', 'revert_learning',
	'search_patterns', 'tune_weight', 'update_preference']);
assert.ok(pages > 1);
for (const t of tools) {
	assert.equal(t.inputSchema.type, 'object', t.name);
	assert.equal(t.outputSchema.type, 'object', t.name);
	assert.equal(typeof t.title, 'string', t.name);
	assert.equal(typeof t.annotations.readOnlyHint, 'boolean', t.name);
}
ok(`tools/list: ${tools.length} tools in ${pages} pages`);

// reading tools; the SDK checks structuredContent against outputSchema
let r = await client.callTool({ name: 'get_base_config' });
assert.equal(r.isError, undefined);
assert.equal(r.structuredContent.config.base_importance, 0.7);
assert.match(r.content[0].text, /base_importance: 0\.7/);
r = await client.callTool({ name: 'merge_behaviors',
	arguments: { persona_name: 'welcome' } });
assert.equal(r.structuredContent.inheritance_weight, 0.7);
assert.equal(r.structuredContent.behaviors.communication_style.verbosity,
	'concise');
r = await client.callTool({ name: 'get_active_persona',
	arguments: { persona_name: 'nobody' } });
assert.equal(r.isError, true);
assert.match(r.content[0].text, /does not exist; existing personas: welcome/);
ok('get_base_config, merge_behaviors, get_active_persona (error result)');

// a write tool: one commit, named after the tool, with the new content
await client.setLoggingLevel('info');
const logged = expectNotification('notifications/message',
	(p) => p.logger === 'learn_behavior');
const head0 = git('rev-parse', 'HEAD');
r = await client.callTool({ name: 'learn_behavior', arguments:
	{ persona: 'welcome', key: 'code_review.tone', value: 'gentle' } });
assert.equal(r.isError, undefined, r.content[0].text);
assert.match(r.structuredContent.commit, /^[0-9a-f]{40}$/);
assert.equal(git('rev-parse', 'HEAD'), r.structuredContent.commit);
assert.equal(git('rev-parse', 'HEAD~1'), head0);
assert.equal(git('log', '-1', '--format=%s'),
	'update personas/welcome.yaml (mcp learn_behavior)');
assert.equal(git('show', '--name-only', '--format=', 'HEAD'),
	'personas/welcome.yaml');
assert.match(git('show', 'HEAD:personas/welcome.yaml'),
	/code_review:\n +tone: gentle/);
assert.equal(git('status', '--porcelain'), '');
await logged;
ok('learn_behavior: one commit with the new content, log notification');

// an invalid change is refused and changes nothing
const head1 = git('rev-parse', 'HEAD');
r = await client.callTool({ name: 'tune_weight', arguments:
	{ target: 'base', parameter: 'base_importance', value: 2 } });
assert.equal(r.isError, true);
assert.match(r.content[0].text, /base_importance must be from 0\.0 to 1\.0/);
assert.equal(git('rev-parse', 'HEAD'), head1);
assert.equal(git('status', '--porcelain'), '');
ok('tune_weight out of bounds: error result, no commit');

// evolve_behavior: one commit touching both files, comments kept
const readRel = (rel) => readFileSync(`${store}/${rel}`, 'utf8');
const baseBefore = readRel('base/identity.yaml');
const welcomeBefore = readRel('personas/welcome.yaml');
r = await client.callTool({ name: 'evolve_behavior', arguments:
	{ from_config: 'welcome', to_config: 'base', key: 'purpose' } });
assert.equal(r.isError, undefined, r.content[0].text);
assert.equal(git('rev-parse', 'HEAD'), r.structuredContent.commit);
assert.equal(git('rev-parse', 'HEAD~1'), head1);
assert.equal(git('show', '--name-only', '--format=', 'HEAD'),
	'base/identity.yaml\npersonas/welcome.yaml');
assert.equal(git('log', '-1', '--format=%s'), 'evolve behaviors.purpose ' +
	'from personas/welcome.yaml to base/identity.yaml (mcp evolve_behavior)');
assert.equal(readRel('personas/welcome.yaml'),
	welcomeBefore.replace('  purpose: show how a persona is laid out\n', ''));
assert.equal(readRel('base/identity.yaml'), baseBefore +
	'  purpose: show how a persona is laid out\n');
ok('evolve_behavior: one commit, both files, comments and layout kept');

// revert_learning: a new commit puts both files back byte for byte
r = await client.callTool({ name: 'revert_learning',
	arguments: { commits_back: 1 } });
assert.equal(r.isError, undefined, r.content[0].text);
assert.equal(r.structuredContent.commits.length, 1);
assert.equal(git('rev-parse', 'HEAD'), r.structuredContent.commits[0]);
assert.equal(git('rev-parse', 'HEAD~2'), head1);
assert.match(git('log', '-1', '--format=%s'),
	/^revert [0-9a-f]{12}: evolve behaviors\.purpose .*\(mcp revert_learning\)$/);
assert.equal(readRel('base/identity.yaml'), baseBefore);
assert.equal(readRel('personas/welcome.yaml'), welcomeBefore);
r = await client.callTool({ name: 'revert_learning',
	arguments: { commits_back: 0 } });
assert.equal(r.isError, true);
assert.match(r.content[0].text, /commits_back must be an integer from 1 to 10/);
ok('revert_learning: new revert commit, files restored; bounds checked');

// commit_changes: direct edits validated and committed; clean is a no-op
const head2 = git('rev-parse', 'HEAD');
r = await client.callTool({ name: 'commit_changes',
	arguments: { message: 'nothing' } });
assert.equal(r.structuredContent.committed, false);
assert.equal(git('rev-parse', 'HEAD'), head2);
writeFileSync(`${store}/personas/direct.yaml`,
	'# by hand\nspecialization_level: 2\nbehaviors:\n  tone: dry\n');
writeFileSync(`${store}/personas/broken.yaml`, 'behaviors: [\n');
r = await client.callTool({ name: 'commit_changes',
	arguments: { message: 'hand edits' } });
assert.equal(r.isError, true);
assert.match(r.content[0].text, /personas\/broken\.yaml/);
assert.equal(git('rev-parse', 'HEAD'), head2);
execFileSync('rm', [`${store}/personas/broken.yaml`]);
r = await client.callTool({ name: 'commit_changes',
	arguments: { message: 'hand edits' } });
assert.equal(r.isError, undefined, r.content[0].text);
assert.deepEqual(r.structuredContent.files, ['personas/direct.yaml']);
assert.equal(git('log', '-1', '--format=%s'), 'hand edits (mcp commit_changes)');
assert.equal(git('status', '--porcelain'), '');
r = await client.callTool({ name: 'delete_persona', arguments: { name: 'direct' } });
assert.equal(r.isError, undefined, r.content[0].text);
ok('commit_changes: invalid refused, valid committed, clean is a no-op');

// resources, templates, prompts, completion
const res = await client.listResources();
assert.deepEqual(res.resources.map((x) => x.uri), ['helios://base',
	'helios://personas/welcome', 'helios://merged/welcome']);
const tpl = await client.listResourceTemplates();
assert.equal(tpl.resourceTemplates.length, 3);
const rd = await client.readResource({ uri: 'helios://merged/welcome' });
assert.equal(rd.contents[0].mimeType, 'application/yaml');
assert.match(rd.contents[0].text, /tone: gentle/);
await assert.rejects(client.readResource({ uri: 'helios://personas/nope' }),
	/-32002/);
const pr = await client.getPrompt({ name: 'persona',
	arguments: { name: 'welcome' } });
assert.match(pr.messages[0].content.text, /Act as the Helios persona 'welcome'/);
const cmp = await client.complete({ ref: { type: 'ref/prompt', name: 'persona' },
	argument: { name: 'name', value: 'wel' } });
assert.deepEqual(cmp.completion.values, ['welcome']);
ok('resources, templates, read, prompts/get, completion');

// progress
const progress = [];
r = await client.callTool({ name: 'search_patterns',
	arguments: { query: 'tone' } }, undefined,
	{ onprogress: (p) => progress.push(p.progress) });
assert.ok(r.structuredContent.count >= 2);
// one notification per file read, increasing, all before the answer
assert.deepEqual(wire.map((p) => p.progress), [1, 2]);
assert.ok(wire.every((p) => p.total === 2 && typeof p.progressToken !==
	'undefined' && p.progressToken === wire[0].progressToken));
assert.deepEqual(progress, wire.map((p) => p.progress).slice(0,
	progress.length));
ok('search_patterns with progress notifications');

// subscriptions: a change made with git outside Helios, then a new persona
await client.subscribeResource({ uri: 'helios://personas/welcome' });
await client.subscribeResource({ uri: 'helios://merged/welcome' });
let updated = expectNotification('notifications/resources/updated',
	(p) => p.uri === 'helios://personas/welcome');
const file = `${store}/personas/welcome.yaml`;
writeFileSync(file, readFileSync(file, 'utf8') + '  by_git: true\n');
git('commit', '-q', '-am', 'edit by hand');
await updated;
ok('resources/updated after a git commit outside Helios');

const listed = expectNotification('notifications/resources/list_changed',
	() => true);
r = await client.callTool({ name: 'create_persona', arguments:
	{ name: 'coder', specialization_level: 2, behaviors: { tone: 'terse' } } });
assert.equal(r.isError, undefined, r.content[0].text);
await listed;
assert.equal(git('log', '-1', '--format=%s'),
	'create personas/coder.yaml (mcp create_persona)');
ok('create_persona: commit and resources/list_changed');

await client.close();
ok('close');
