'use strict';
// The browser suite's static server (tools/browser.js), without a browser: the headers that make a
// page cross-origin isolated, the types workers and WebAssembly.instantiateStreaming insist on,
// and nothing served from outside its directory.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { startServer, writePage } = require('../tools/browser');

let root;
let server;
beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-server-'));
  fs.mkdirSync(path.join(root, 'site'));
  fs.writeFileSync(path.join(root, 'site', 'main.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
  fs.writeFileSync(path.join(root, 'site', 'main.js'), '// js');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'SECRET-CONTENT');
  server = await startServer(path.join(root, 'site'));
});
afterAll(async () => {
  await server.close();
  fs.rmSync(root, { recursive: true, force: true });
});

test('every response is cross-origin isolated and typed', async () => {
  const r = await fetch(server.urlFor(path.join(root, 'site', 'main.wasm')));
  expect(r.status).toBe(200);
  expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  expect(r.headers.get('content-type')).toBe('application/wasm');
  expect((await fetch(`${server.origin}/main.js`)).headers.get('content-type')).toBe('text/javascript');
  // emscripten's locateFile joins the script directory and an absolute MEMFS name
  expect((await fetch(`${server.origin}//main.js`)).status).toBe(200);
  const missing = await fetch(`${server.origin}/nope.so`);
  expect(missing.status).toBe(404);
  expect(missing.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
});

test('nothing outside the served directory', async () => {
  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%E0%A4%A']) {
    const r = await fetch(`${server.origin}${p}`);
    expect([403, 404]).toContain(r.status);
    expect(await r.text()).not.toContain('SECRET-CONTENT');
  }
});

test('the page names the side modules it fetches', () => {
  const page = fs.readFileSync(writePage(path.join(root, 'site'), ['a.so', 'b.so']), 'utf8');
  expect(page).toContain('const SIDE_MODULES = ["a.so","b.so"];');
});
