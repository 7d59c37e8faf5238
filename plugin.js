// Node-RED loads a plugin's locales/ and .html from beside its entry file, so
// the entry lives at the package root and the compiled code in dist/.
module.exports = require('./dist/index.js');
