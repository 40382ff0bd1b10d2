// The explorer's browser test, run by TestExplorerBrowser (e2e_serve_test.go):
//
//   node explorer.js URL SHOTDIR [TOKEN-URL]
//
// drives the system's Chromium through playwright-core (PLAYWRIGHT_CORE: its
// directory; CHROMIUM: the browser) against `entente serve` at URL, as an
// analyst would: find Japan, expand it, find the strongest paths to India,
// read a link's evidence, filter, query, export, and reopen the shared URL.
// Each step prints "ok: …"; the first failure prints "FAIL: …" and exits 1.
// Screenshots go to SHOTDIR. TOKEN-URL is a server started with --token,
// opened as the page once with ?token=T.
'use strict';
const path = require('path');
const fs = require('fs');
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');

const [url, shots, tokenURL] = process.argv.slice(2);
const step = (s) => console.log('ok: ' + s);
const check = (cond, what) => { if (!cond) throw new Error(what); };

async function ready(page) {
  await page.waitForFunction(() => window.explorer && window.explorer.ready, null, { timeout: 15000 });
}

const count = (page, sel) => page.evaluate((s) => window.explorer.cy.elements(s).length, sel);

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
  });
  const errors = [];
  const external = [];
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const ours = [new URL(url).origin, tokenURL && new URL(tokenURL).origin].filter(Boolean);
  ctx.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith('data:') && !u.startsWith('blob:') && !ours.includes(new URL(u).origin)) external.push(u);
  });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  // The bad query's 400 is expected; any other failed load or script error is not.
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 400/.test(m.text())) errors.push(m.text()); });
  page.setDefaultTimeout(15000);

  await page.goto(url);
  await ready(page);
  step('the page loads');

  // Search with completion: "Jap" offers Japan first.
  await page.keyboard.press('/');
  check(await page.evaluate(() => document.activeElement.id) === 'search', '/ does not focus the search box');
  await page.keyboard.type('Jap');
  await page.waitForSelector('#completions li');
  const first = await page.textContent('#completions li');
  check(first.startsWith('Japan'), 'the first completion of "Jap" is ' + first);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.explorer.cy.getElementById('entity:japan').nonempty());
  await page.waitForSelector('#card-name');
  check((await page.textContent('#card-name')) === 'Japan', 'the card is not Japan\'s');
  step('search "Jap", choose Japan: its node and card');

  // Expand one step (the e key).
  await page.keyboard.press('e');
  await page.waitForFunction(() => window.explorer.cy.nodes().length > 10);
  const expanded = await count(page, 'node');
  step('expand Japan: ' + expanded + ' nodes');

  // The strongest paths from Japan to India, highlighted, the rest dimmed.
  await page.click('#btn-path');
  await page.fill('#search', 'India');
  await page.waitForSelector('#completions li');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.path-item.current');
  const hl = await count(page, 'edge.hl');
  const dim = await count(page, '.dim');
  check(hl >= 2 && dim > 0, `path highlight: ${hl} links highlighted, ${dim} elements dimmed`);
  const firstPath = await page.textContent('.path-item.current');
  check(firstPath.includes('Japan') && firstPath.includes('India'), 'first path: ' + firstPath);
  step('path Japan → India: ' + firstPath.trim());
  await page.waitForTimeout(400); // the view's move to the path
  await page.screenshot({ path: path.join(shots, 'explorer-path.png') });

  // Click a highlighted link on the canvas (one with the fewest parallel
  // links): the panel names it and shows its evidence, with its locators.
  const target = await page.evaluate(() => {
    const cy = window.explorer.cy;
    cy.fit(cy.elements('.hl'), 80);
    const covered = (p) => cy.nodes().some((n) => {
      const b = n.renderedBoundingBox({ includeLabels: true });
      return p.x >= b.x1 - 4 && p.x <= b.x2 + 4 && p.y >= b.y1 - 4 && p.y <= b.y2 + 4;
    });
    const es = cy.edges('.hl').filter((x) => (x.data('raw').evidence || []).length > 0 && !covered(x.renderedMidpoint()))
      .sort((a, b) => a.parallelEdges().length - b.parallelEdges().length);
    if (es.length === 0) return null;
    const box = cy.container().getBoundingClientRect();
    const p = es[0].renderedMidpoint();
    return { x: box.left + p.x, y: box.top + p.y };
  });
  check(target, 'every highlighted link is under a node');
  await page.mouse.click(target.x, target.y);
  try {
    await page.waitForSelector('.evidence', { timeout: 5000 });
  } catch (e) {
    await page.screenshot({ path: path.join(shots, 'failed-click.png') });
    throw new Error('clicking the link at ' + JSON.stringify(target) + ' opened no evidence: ' + await page.textContent('#panel-body'));
  }
  const stmt = await page.textContent('#panel-body .sub');
  const want = await page.evaluate((s) => {
    const e = window.explorer.cy.edges().filter((x) => x.data('raw').statement === s)[0];
    return e ? e.data('raw').evidence.map((x) => x.locator) : null;
  }, stmt);
  const locators = await page.$$eval('.evidence .locator', (xs) => xs.map((x) => x.textContent));
  check(want && JSON.stringify(locators) === JSON.stringify(want), `evidence of ${stmt} shows ${JSON.stringify(locators)}, not ${JSON.stringify(want)}`);
  check(await page.$('#edge-qualifiers dt'), 'no qualifiers shown');
  const target2 = { locator: locators[0] };
  step('click a link (' + stmt + '): its evidence, locator "' + target2.locator + '"');
  await page.screenshot({ path: path.join(shots, 'explorer-evidence.png') });

  // Filters: hide proposed links.
  const proposed = await count(page, 'edge[status = "proposed"]');
  if (proposed > 0) {
    await page.uncheck('input[data-filter="status:proposed"]');
    check(await count(page, 'edge[status = "proposed"]:visible') === 0, 'proposed links still drawn');
    await page.check('input[data-filter="status:proposed"]');
    step('filter: ' + proposed + ' proposed links hidden and shown again');
  }

  // Export the view: SVG and GraphML through the API, PNG from the canvas.
  for (const f of ['svg', 'graphml', 'canvas-png']) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.selectOption('#export-format', f)]);
    const file = await dl.path();
    const body = fs.readFileSync(file);
    check(body.length > 500, `${f} export of ${body.length} bytes`);
    if (f === 'svg') check(body.toString().includes('<svg') && body.toString().includes('India'), 'the SVG lacks India');
    if (f === 'graphml') check(body.toString().includes('<graphml'), 'not GraphML');
    fs.copyFileSync(file, path.join(shots, 'export.' + f.replace('canvas-', '')));
    step(`export ${f}: ${dl.suggestedFilename()}, ${body.length} bytes`);
  }

  // The shared URL reopens the same view.
  const shared = page.url();
  check(shared.includes('#') && shared.includes('op='), 'the URL holds no view: ' + shared);
  const before = await page.evaluate(() => window.explorer.cy.nodes().map((n) => n.id()).sort());
  const page2 = await ctx.newPage();
  page2.on('pageerror', (e) => errors.push(e.message));
  await page2.goto(shared);
  await ready(page2);
  const after = await page2.evaluate(() => window.explorer.cy.nodes().map((n) => n.id()).sort());
  check(JSON.stringify(before) === JSON.stringify(after), `reopened view has ${after.length} nodes, not ${before.length}`);
  check(await count(page2, 'edge.hl') === hl, 'the reopened view does not highlight the path');
  step('reopen the shared URL: the same ' + after.length + ' nodes and the path highlighted');
  await page2.screenshot({ path: path.join(shots, 'explorer-reopened.png') });
  await page2.close();

  // The query box: an answer drawn, an error with its caret, history.
  await page.click('#btn-clear');
  check(await count(page, 'node') === 0, 'clear left nodes');
  await page.keyboard.press('q');
  await page.keyboard.type('why Japan Australia');
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction(() => window.explorer.cy.getElementById('entity:australia').nonempty());
  await page.waitForSelector('table.answer td');
  const cellText = await page.textContent('table.answer td');
  check(cellText.includes('Japan \u2014security_pact\u2192 Australia'), 'answer table: ' + cellText);
  step('query "why Japan Australia": drawn, and its rows in a table');
  await page.fill('#eql', 'path Japan to Indai');
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('#error:not([hidden])');
  const err = await page.textContent('#error');
  check(err.includes('did you mean India') && err.includes('^'), 'error: ' + err);
  step('a bad query: ' + err.split('\n')[0]);
  await page.fill('#eql', '');
  await page.focus('#eql');
  await page.keyboard.press('ArrowUp');
  check((await page.inputValue('#eql')) === 'path Japan to Indai', 'history did not recall the last query');
  step('query history: ↑ recalls the last query');

  // A network answer: communities outlined by group, ranks by shade and number.
  await page.click('#btn-clear');
  await page.fill('#eql', 'communities');
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction(() => window.explorer.cy.nodes('[group]').length > 0);
  const groups = await page.evaluate(() => new Set(window.explorer.cy.nodes('[group]').map((n) => n.data('group'))).size);
  // Groups numbered from 1, Japan in one (which, the server's tests check
  // against the answer's rows).
  const marks = await page.evaluate(() => window.explorer.cy.nodes('[group]').map((n) => n.data('group')));
  const japan = await page.evaluate(() => window.explorer.cy.getElementById('entity:japan').data('group'));
  check(groups > 1 && japan > 0 && marks.every((g) => Number.isInteger(g) && g >= 1 && g <= groups),
    'communities: ' + groups + ' groups, Japan in ' + japan + ', marks ' + marks.join(','));
  const outline = await page.evaluate(() => window.explorer.cy.getElementById('entity:japan').style('border-color'));
  check(outline !== 'rgb(85,85,85)', 'a community is not outlined: ' + outline);
  await page.fill('#eql', 'rank by pagerank type Country limit 5');
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction(() => window.explorer.cy.nodes('[rank]').length === 5);
  const top = await page.evaluate(() => window.explorer.cy.nodes("[rank = 1]").data("label"));
  check(/^#1 /.test(top) && await page.evaluate(() => window.explorer.cy.nodes('[group]').length) === 0, 'ranks: ' + top);
  step('network answers: ' + groups + ' communities outlined, Japan in ' + japan + '; rank 1 is ' + top);

  // The drawing cap: a view over the cap says so, and "show more" draws the rest.
  const capped = new URL(url);
  capped.hash = 'cap=5&op=add:entity:japan&op=expand:entity:japan';
  const page3 = await ctx.newPage();
  await page3.goto(capped.toString());
  await ready(page3);
  check(await count(page3, 'node') === 5, 'the cap of 5 drew ' + await count(page3, 'node'));
  const notice = await page3.textContent('#notice');
  check(/not drawn/.test(notice), 'notice: ' + notice);
  await page3.click('#show-more');
  await page3.waitForFunction((n) => window.explorer.cy.nodes().length === n, expanded);
  step('drawing cap: "' + notice.replace('Show more', '').trim() + '", then show more draws ' + expanded);
  await page3.close();

  // Kumu's steps: Japan and everything within two steps (the 2 key).
  const page4 = await ctx.newPage();
  await page4.goto(new URL('/#op=add:entity:japan', url).toString());
  await ready(page4);
  await page4.evaluate(() => window.explorer.select('entity:japan'));
  await page4.keyboard.press('2');
  await page4.waitForFunction((n) => window.explorer.cy.nodes().length > n, expanded);
  check(page4.url().includes('expand%3Ad2%3Aentity%3Ajapan'), 'the URL does not record two steps: ' + page4.url());
  step('two steps from Japan: ' + await count(page4, 'node') + ' nodes');
  // The card's history: each change to Japan, with its transaction.
  await page4.click('#btn-history');
  await page4.waitForSelector('table.answer td');
  const hist = await page4.textContent('table.answer');
  check(hist.includes('tx:1') && hist.includes('added'), 'history: ' + hist.slice(0, 200));
  step('the card\'s history: ' + (await page4.$$('table.answer tbody tr')).length + ' changes to Japan');
  await page4.evaluate(() => window.explorer.select('entity:japan'));
  // A relation on the card leads to its other end, and draws the link.
  const other = await page4.textContent('#panel-body li.rel a');
  await page4.click('#panel-body li.rel a');
  await page4.waitForFunction((n) => document.getElementById('card-name') && document.getElementById('card-name').textContent === n, other);
  check(page4.url().includes('op=why'), 'following a relation is not in the URL: ' + page4.url());
  step('follow a relation from the card to ' + other);
  await page4.close();

  // A server with a token: the page opened once with ?token= works, and
  // its address keeps no secret; another browser without it is refused.
  if (tokenURL) {
    const page5 = await ctx.newPage();
    await page5.goto(tokenURL + '#op=add:entity:japan');
    await ready(page5);
    await page5.waitForFunction(() => window.explorer.cy.getElementById('entity:japan').nonempty());
    check(!page5.url().includes('token='), 'the token stayed in the address: ' + page5.url());
    check(page5.url().includes('op=add'), 'the view was lost on the way: ' + page5.url());
    await page5.close();
    const other = await browser.newContext();
    const page6 = await other.newPage();
    const resp = await page6.goto(tokenURL.replace(/\?token=.*$/, ''));
    check(resp.status() === 401, 'without the token: ' + resp.status());
    await other.close();
    step('a server with a token: the page opened with ?token= works, without it 401');
  }

  check(errors.length === 0, 'errors in the page: ' + errors.join('; '));
  check(external.length === 0, 'requests off the server: ' + external.join(', '));
  step('no errors in the page, no request off the server');
  await browser.close();
}

main().catch((e) => { console.log('FAIL: ' + (e && e.message || e)); process.exit(1); });
