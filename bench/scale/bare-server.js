'use strict';
/**
 * The ceiling the collector is measured against: bare node:http. A POST is
 * read, parsed as JSON and answered with the body the collector answers; a
 * GET of a path listed in BARE_GET (a JSON object of path -> file) is
 * answered with that file's bytes, read once. No validation, no storage, no
 * cache logic. Prints its port on stdout.
 */
const http = require('node:http');
const { readFileSync } = require('node:fs');

const ANSWER = JSON.stringify({ 'node-red': { latest: '4.2.0', next: '4.2.0' } });
const GETS = new Map(Object.entries(JSON.parse(process.env.BARE_GET || '{}')).map(([p, file]) => [p, readFileSync(file)]));

const server = http.createServer((req, res) => {
  if (req.method === 'GET') {
    const body = GETS.get(req.url);
    if (!body) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length }).end(body);
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(ANSWER) }).end(ANSWER);
  });
});
server.keepAliveTimeout = 72_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
