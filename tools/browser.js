'use strict';
// Runs browser builds of the scenarios (conformance.js, host 'chromium') in Debian's Chromium
// through playwright-core: a loopback static server that makes pages cross-origin isolated
// (SharedArrayBuffer needs COOP + COEP), one page per run, the page's exit code and output judged
// exactly as a Node run is (conformance.judgeRun).
const fs = require('fs');
const http = require('http');
const path = require('path');
const c = require('./conformance');

const CHROMIUM = process.env.PTHREAD_DYLINK_CHROMIUM || '/usr/bin/chromium';
// No GPU, no network beyond loopback, nothing Chromium would fetch or update on its own.
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const PAGE_TEMPLATE = path.join(__dirname, 'browser-page.html');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.so': 'application/octet-stream', '.json': 'application/json',
  '.png': 'image/png', '.css': 'text/css', '.data': 'application/octet-stream',
};

// Serves files under `root` on 127.0.0.1 only. Every response carries the headers that make a
// page cross-origin isolated, and the resource policy its workers and fetches need under them.
function startServer(root, { port = 0 } = {}) {
  const rootDir = path.resolve(root);
  const server = http.createServer((req, res) => {
    // The path as sent, not through URL (which reads a leading "//x" as a host). Emscripten's
    // locateFile joins the script directory and an absolute MEMFS name ("dir//x.so").
    const pathname = req.url.split('?')[0];
    let file;
    try {
      file = path.resolve(rootDir, `.${decodeURIComponent(pathname).replace(/\/+/g, '/')}`);
    } catch {
      file = null; // a malformed %-escape
    }
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    };
    if (!file || (file !== rootDir && !file.startsWith(rootDir + path.sep))) {
      res.writeHead(403, headers).end('outside the served directory');
      return;
    }
    fs.readFile(file, (err, body) => {
      if (process.env.PTHREAD_DYLINK_BROWSER_DEBUG) process.stderr.write(`[browser server] ${err ? 404 : 200} ${pathname}\n`);
      if (err) {
        res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end(`not found: ${pathname}`);
        return;
      }
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' }).end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      ({ port } = server.address());
      resolve({
        origin: `http://127.0.0.1:${port}`,
        urlFor: (p) => `http://127.0.0.1:${port}/${path.relative(rootDir, p).split(path.sep).map(encodeURIComponent).join('/')}`,
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}

// playwright-core drives the system Chromium; it never downloads a browser.
async function launchChromium() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run \`npm run setup\` (installs Debian's chromium) or set PTHREAD_DYLINK_CHROMIUM`);
  }
  const { chromium } = require('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

// Firefox ESR through puppeteer-core over WebDriver BiDi (playwright-core's Firefox mode needs its
// own patched build). Puppeteer's page differs from playwright's in one call used here
// (waitForFunction takes its options second): the adapter gives runScenarioInBrowser one shape.
const FIREFOX = process.env.PTHREAD_DYLINK_FIREFOX || '/usr/bin/firefox-esr';
async function launchFirefox() {
  if (!fs.existsSync(FIREFOX)) {
    throw new Error(`Firefox not found at ${FIREFOX}: run \`npm run setup\` (installs Debian's firefox-esr) or set PTHREAD_DYLINK_FIREFOX`);
  }
  const puppeteer = require('puppeteer-core');
  // A profile home of its own: Firefox writes there, and a run must not depend on the machine's.
  const home = fs.mkdtempSync(path.join(require('os').tmpdir(), 'pthread-dylink-firefox-'));
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX, headless: true, protocol: 'webDriverBiDi',
    env: { ...process.env, HOME: home, MOZ_CRASHREPORTER_DISABLE: '1' },
  });
  return {
    async newContext({ viewport } = {}) {
      const context = await browser.createBrowserContext();
      return {
        async newPage() {
          const page = await context.newPage();
          if (viewport) await page.setViewport(viewport);
          return puppeteerPage(page);
        },
        close: () => context.close(),
      };
    },
    async close() {
      await browser.close().catch(() => {});
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

// The calls the suite and the demo make, in playwright's shape, on a puppeteer page.
function puppeteerPage(page) {
  return {
    on: (event, f) => page.on(event, f),
    goto: (url, opts) => page.goto(url, opts),
    evaluate: (f) => page.evaluate(f),
    waitForFunction: (f, arg, opts) => page.waitForFunction(f, opts, arg),
    locator: (selector) => ({
      waitFor: () => page.waitForSelector(selector, { visible: true }),
      click: () => page.click(selector),
    }),
    screenshot: (opts) => page.screenshot(opts),
  };
}

// The page that runs one build: written next to main.js, it fetches the scenario's side modules,
// hands them to browser.pre.js and records what the program printed and how it ended.
function writePage(dir, sideModules) {
  const html = fs.readFileSync(PAGE_TEMPLATE, 'utf8').replace('/*SIDE_MODULES*/[]', JSON.stringify(sideModules));
  const file = path.join(dir, 'index.html');
  fs.writeFileSync(file, html);
  return file;
}

// Opens the build's page in a fresh context (no cache, no state shared with other runs) and waits
// for it to end. Returns what runScenario returns. A page whose main thread is blocked cannot
// report; such a run ends at timeoutMs as a hang, with whatever it printed until then.
async function runScenarioInBrowser({ browser, server, dir, sideModules, timeoutMs = 60000, ...expectations }) {
  const t0 = Date.now();
  const page = writePage(dir, sideModules);
  const context = await browser.newContext();
  const tab = await context.newPage();
  const consoleLines = [];
  // Workers print to their own console: kept for the detail of a failure, not judged.
  tab.on('console', (m) => consoleLines.push(m.text()));
  tab.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  let r;
  try {
    // Not the load event: main.js runs main() before it fires, and a blocked main() would turn
    // into a navigation timeout instead of this run's own.
    await tab.goto(server.urlFor(page), { waitUntil: 'domcontentloaded', timeout: timeoutMs });
    const isolated = await tab.evaluate(() => globalThis.crossOriginIsolated);
    if (!isolated) throw new Error('the page is not cross-origin isolated: SharedArrayBuffer is unavailable');
    const handle = await tab.waitForFunction(() => globalThis.pdRun && globalThis.pdRun.ended && globalThis.pdRun, null, { timeout: timeoutMs, polling: 100 });
    const run = await handle.jsonValue();
    r = { code: run.code, signal: null, stdout: run.stdout.join('\n'), stderr: run.stderr.join('\n'), timedOut: false };
  } catch (e) {
    const timedOut = /Timeout/i.test(e.name) || /Timeout .* exceeded/.test(e.message);
    let partial = { stdout: [], stderr: [] };
    // A blocked main thread never answers: give it a moment, not a second timeout.
    const noAnswer = new Promise((resolve) => setTimeout(resolve, 2000, partial));
    partial = await Promise.race([tab.evaluate(() => globalThis.pdRun || { stdout: [], stderr: [] }), noAnswer]).catch(() => partial);
    r = {
      code: null, signal: null, timedOut,
      stdout: partial.stdout.join('\n'),
      stderr: [...partial.stderr, ...consoleLines, ...(timedOut ? [] : [`browser driver: ${e.message.split('\n')[0]}`])].join('\n'),
    };
  } finally {
    await context.close().catch(() => {});
  }
  const judged = c.judgeRun(r, { timeoutMs, ...expectations });
  return { ...judged, seconds: (Date.now() - t0) / 1000, stdout: r.stdout, stderr: r.stderr, console: consoleLines };
}

module.exports = { startServer, launchChromium, launchFirefox, runScenarioInBrowser, writePage };
