'use strict';
// Lets Jest load src/ (ES modules, as esbuild bundles them) without a Babel setup.
const esbuild = require('esbuild');

module.exports = {
  process(source, filename) {
    const { code, map } = esbuild.transformSync(source, {
      loader: 'js', format: 'cjs', target: 'node18', sourcemap: 'inline', sourcefile: filename,
    });
    return { code, map };
  },
};
