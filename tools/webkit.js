'use strict';
// WebKit for the browser suite: Debian's WebKitGTK MiniBrowser through its WebDriver
// (WebKitWebDriver, selenium-webdriver), on a private Xvfb display. Given the shape of
// playwright's browser/context/page for the calls tools/browser.js and tools/demo.js make.
//   - Debian's WebKit builds expose SharedArrayBuffer only with JSC_useSharedArrayBuffer=1 in the
//     environment (a WebKit build setting, not something a page can ask for).
//   - WebDriver has no console channel: the scenario page keeps what the program printed
//     (pdRun), and the driver polls it.
//   - A page whose main thread is blocked never answers a script: every driver call is bounded
//     on the Node side, and the session and its processes are killed in close().
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');

const MINIBROWSER = process.env.PTHREAD_DYLINK_WEBKIT || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const DRIVER = '/usr/bin/WebKitWebDriver';
const CALL_TIMEOUT_MS = 15000;

function bounded(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`Timeout ${ms}ms exceeded: ${what}`), { name: 'TimeoutError' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Resolves once check() is true (the display's socket exists, the driver answers /status).
async function waitFor(check, what, ms = 10000) {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 100))) {
    if (await check()) return;
  }
  throw new Error(`${what} did not come up within ${ms} ms`);
}

async function launchWebKit() {
  for (const f of [MINIBROWSER, DRIVER, '/usr/bin/Xvfb']) {
    if (!fs.existsSync(f)) throw new Error(`${f} not found: run \`npm run setup\` (installs Debian's webkit2gtk-driver and xvfb) or set PTHREAD_DYLINK_WEBKIT`);
  }
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pthread-dylink-webkit-'));
  const display = 100 + (process.pid % 400);
  const xvfb = spawn('/usr/bin/Xvfb', [`:${display}`, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  await waitFor(() => fs.existsSync(`/tmp/.X11-unix/X${display}`), 'Xvfb');
  const env = { ...process.env, DISPLAY: `:${display}`, JSC_useSharedArrayBuffer: '1', HOME: home };
  let sessions = 0;
  return {
    // A driver, a session and a browser process of their own per context: WebKitWebDriver holds
    // one session at a time, and one a blocked page never let go of would stall every later run.
    async newContext({ viewport } = {}) {
      const session = await startSession(env, 21000 + ((process.pid * 7 + sessions++) % 20000));
      if (viewport) await bounded(session.driver.manage().window().setRect(viewport), CALL_TIMEOUT_MS, 'window size');
      return { newPage: async () => webkitPage(session.driver), close: () => session.close() };
    },
    async close() {
      xvfb.kill('SIGKILL');
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

async function startSession(env, port) {
  const { Builder } = require('selenium-webdriver');
  // Its own process group, so close() also ends the MiniBrowser it started.
  const proc = spawn(DRIVER, [`--port=${port}`, '--host=127.0.0.1'], { env, stdio: 'ignore', detached: true });
  const kill = () => { try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* already gone */ } };
  try {
    const server = `http://127.0.0.1:${port}`;
    await waitFor(() => fetch(`${server}/status`).then((r) => r.ok, () => false), 'WebKitWebDriver');
    const capabilities = { browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } };
    const driver = await bounded(new Builder().usingServer(server).withCapabilities(capabilities).build(), 30000, 'a WebKit session');
    return { driver, close: async () => { await bounded(driver.quit(), 5000, 'closing the session').catch(() => {}); kill(); } };
  } catch (e) {
    kill();
    throw e;
  }
}

function webkitPage(session) {
  const run = (f, arg, ms = CALL_TIMEOUT_MS) => bounded(session.executeScript(`return (${f})(arguments[0]);`, arg), ms, 'a script in the page');
  const waitForFunction = async (f, arg, { timeout = 30000, polling = 100 } = {}) => {
    const t0 = Date.now();
    for (;;) {
      const value = await run(f, arg, Math.max(1000, timeout - (Date.now() - t0)));
      if (value) return { jsonValue: async () => value };
      if (Date.now() - t0 > timeout) throw Object.assign(new Error(`Timeout ${timeout}ms exceeded waiting for a function`), { name: 'TimeoutError' });
      await new Promise((r) => setTimeout(r, polling));
    }
  };
  return {
    on: () => {}, // no console channel (see the header)
    goto: (url, { timeout = 30000 } = {}) => bounded(session.get(url), timeout, `loading ${url}`),
    evaluate: (f) => run(f),
    waitForFunction,
    locator: (selector) => ({
      waitFor: () => waitForFunction((s) => { const e = document.querySelector(s); return !!(e && e.offsetParent !== null); }, selector),
      click: () => run((s) => { document.querySelector(s).click(); return true; }, selector),
    }),
    screenshot: async ({ path: file }) => fs.writeFileSync(file, Buffer.from(await bounded(session.takeScreenshot(), CALL_TIMEOUT_MS, 'a screenshot'), 'base64')),
  };
}

module.exports = { launchWebKit };
