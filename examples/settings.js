// Node-RED settings for trying node-red-telemetry locally (`npm start`).
// Copy the `telemetry` section into your own settings.js; every key is optional.
const path = require('path');

module.exports = {
    uiHost: '127.0.0.1',
    uiPort: process.env.PORT === undefined ? 1880 : Number(process.env.PORT),
    flowFile: 'flows.json',
    // Loads the plugin from this checkout; a palette install needs no such line.
    nodesDir: [path.join(__dirname, '..')],

    telemetry: {
        // Leave `enabled` out to let the editor ask; true means the admin consents
        // for this instance, false switches telemetry off for good.
        // enabled: true,

        // The collector that receives reports (`npm start` runs one on this machine).
        // https, or http to this machine only.
        url: process.env.TELEMETRY_URL || 'http://127.0.0.1:8790/ping',

        // Offer Node-RED updates that the collector reports.
        updateNotification: true,

        // First report after start (the plugin's default is 30m; the demo waits
        // only a moment so that you see a report arrive), then the interval.
        initialDelay: process.env.TELEMETRY_INITIAL_DELAY || '15s',
        interval: '24h'
    },

    logging: { console: { level: 'info', metrics: false, audit: false } },
    editorTheme: { projects: { enabled: false } }
};
