// Lighthouse over a list of pages in one Chromium (mobile preset, Lighthouse's default config).
//
//   CHROME_PATH=/usr/bin/chromium node lighthouse-run.mjs pages.json OUT_DIR
//
// pages.json is [{"name": "en-home", "url": "http://127.0.0.1:PORT/"}, ...]. Writes
// OUT_DIR/<name>.report.html for a person (and .report.json, the full result), and OUT_DIR/scores.json: for each page its four
// category scores (0-100), the scored audits that did not pass (id, title, score, display
// value) and the audits that could not run (id, category, weight, error).
// One Chromium serves every run: starting one per page would cost seconds each.
import fs from 'node:fs';
import path from 'node:path';

import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

// The flags this machine needs: no sandbox as root, and no background connections to hosts
// the closed network refuses (they would also count against best practices).
const FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-default-apps', '--disable-extensions', '--mute-audio'];
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];

function failing(lhr) {
  const out = [];
  for (const category of CATEGORIES) {
    for (const ref of lhr.categories[category].auditRefs) {
      const audit = lhr.audits[ref.id];
      if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
        out.push({category, id: audit.id, title: audit.title, score: audit.score,
          displayValue: audit.displayValue ?? null});
      }
    }
  }
  return out;
}

// A fresh Chromium's first page pays for starting its renderer and reading the font files
// (Noto CJK is large): counted against the first audited page, it costs ~15 performance points
// that no reader's browser pays twice. One plain visit of every distinct language first.
async function warmUp(port, pages) {
  const browser = await puppeteer.connect({browserURL: `http://127.0.0.1:${port}`});
  const tab = await browser.newPage();
  for (const page of pages) await tab.goto(page.url, {waitUntil: 'load'});
  await tab.close();
  await browser.disconnect();
}

// Audits that could not run, with their weight in their category (0: not in the score).
function errored(lhr) {
  const weights = new Map();
  for (const category of CATEGORIES) {
    for (const ref of lhr.categories[category].auditRefs) weights.set(ref.id, [category, ref.weight]);
  }
  return Object.values(lhr.audits).filter(a => a.scoreDisplayMode === 'error').map(a => ({
    id: a.id, category: weights.get(a.id)?.[0] ?? null, weight: weights.get(a.id)?.[1] ?? 0,
    error: (a.errorMessage ?? '').slice(0, 200)}));
}

async function main() {
  const [listFile, outDir] = process.argv.slice(2);
  if (!listFile || !outDir) {
    console.error('usage: node lighthouse-run.mjs pages.json OUT_DIR');
    process.exit(2);
  }
  const pages = JSON.parse(fs.readFileSync(listFile, 'utf8'));
  fs.mkdirSync(outDir, {recursive: true});
  const chrome = await chromeLauncher.launch({chromePath: process.env.CHROME_PATH, chromeFlags: FLAGS,
    logLevel: 'silent'});
  const results = [];
  try {
    const firsts = new Map();
    for (const page of pages) if (!firsts.has(page.name.split('-')[0])) firsts.set(page.name.split('-')[0], page);
    await warmUp(chrome.port, [...firsts.values()]);
    for (const page of pages) {
      const started = Date.now();
      const run = await lighthouse(page.url, {port: chrome.port, output: ['html', 'json'], logLevel: 'error',
        onlyCategories: CATEGORIES});
      const {lhr} = run;
      fs.writeFileSync(path.join(outDir, `${page.name}.report.html`), run.report[0]);
      fs.writeFileSync(path.join(outDir, `${page.name}.report.json`), run.report[1]);
      const scores = Object.fromEntries(CATEGORIES.map(c => [c, Math.round(100 * (lhr.categories[c].score ?? 0))]));
      const seconds = (Date.now() - started) / 1000;
      results.push({name: page.name, url: page.url, scores, failing: failing(lhr), errored: errored(lhr),
        runtimeError: lhr.runtimeError?.message ?? null, seconds});
      console.log(`${page.name}: ${JSON.stringify(scores)} in ${seconds.toFixed(1)} s`);
    }
  } finally {
    await chrome.kill();
    fs.writeFileSync(path.join(outDir, 'scores.json'), JSON.stringify(results, null, 2) + '\n');
  }
}

await main();
