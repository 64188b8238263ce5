// Browser builds of the scenarios (tools/browser.js): the page fetched the side modules over HTTP
// before it loaded main.js (Module.pdSideModules: [name, bytes] pairs); they go into MEMFS under
// the names the scenario dlopen()s, as NODERAWFS gave them in Node. Only the main thread's FS is
// filled: a worker that must load a module fetches it itself, by URL, as it would in any web app.
if (typeof window == 'object' && Module['pdSideModules']) {
  Module['preRun'] = [].concat(Module['preRun'] || [], function () {
    Module['pdSideModules'].forEach(function (file) { FS.writeFile(file[0], file[1]); });
  });
}
