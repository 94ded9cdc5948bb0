// The "not a leaf" class and what every view makes of a scan (web/js/verdict.js and its users):
// Background_without_leaves is an answer ("this is not a leaf"), never a disease, never listed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { historyToCsv } from '../../web/js/csv.js';
import { imageErrorKey } from '../../web/js/errors.js';
import { historySummary } from '../../web/js/history-view.js';
import { LANGUAGES, Translations } from '../../web/js/i18n.js';
import { shareText } from '../../web/js/share.js';
import { STORED_TOP_K, NOT_LEAF_LABEL, SHOWN_MATCHES, judge, leafMatches, presentScan } from '../../web/js/verdict.js';
import { repoRoot } from './support.mjs';

const readJson = (...parts) => JSON.parse(readFileSync(join(repoRoot, 'web', ...parts), 'utf8'));
const english = readJson('i18n', 'en.json');
const translations = (language) => new Translations(language, readJson('i18n', `${language}.json`), readJson('advice', `${language}.json`), english);
const en = translations('en');

const BLIGHT = 'Tomato___Late_blight';
const predictions = (...pairs) => pairs.map(([label, probability], index) => ({ index, label, probability }));
const record = (top, looksLikeLeaf = true) => ({ createdAt: Date.UTC(2025, 5, 1, 12), top, ...judge({ top, looksLikeLeaf }), note: '', location: null, model: { version: '1' } });

const backgroundFirst = predictions([NOT_LEAF_LABEL, 0.9], [BLIGHT, 0.05], ['Potato___Early_blight', 0.03], ['Apple___Black_rot', 0.01]);
const backgroundSecond = predictions([BLIGHT, 0.8], [NOT_LEAF_LABEL, 0.1], ['Tomato___healthy', 0.05], ['Potato___Early_blight', 0.03]);

test('the background class on top, or a picture without plant colours, is "not a leaf"', () => {
  assert.deepEqual(judge({ top: backgroundFirst, looksLikeLeaf: true }), { unsure: true, reason: 'notLeaf' });
  assert.deepEqual(judge({ top: backgroundSecond, looksLikeLeaf: false }), { unsure: true, reason: 'notLeaf' });
  assert.deepEqual(judge({ top: backgroundSecond, looksLikeLeaf: true }), { unsure: false, reason: null });
  assert.deepEqual(judge({ top: predictions([BLIGHT, 0.59], ['Tomato___healthy', 0.3]), looksLikeLeaf: true }), { unsure: true, reason: 'lowConfidence' });
  assert.deepEqual(judge({ top: [], looksLikeLeaf: true }), { unsure: true, reason: 'lowConfidence' });
});

test('the listed matches skip the background class and keep the engine probabilities', () => {
  assert.deepEqual(leafMatches(backgroundSecond), [backgroundSecond[0], backgroundSecond[2], backgroundSecond[3]]);
  assert.deepEqual(leafMatches(backgroundFirst).map((p) => p.label), [BLIGHT, 'Potato___Early_blight', 'Apple___Black_rot']);
  assert.equal(leafMatches(predictions(['a', 0.4], ['b', 0.3], ['c', 0.2], ['d', 0.1])).length, SHOWN_MATCHES);
  // A saved scan keeps enough predictions to fill the list when the background class is among them.
  assert.ok(STORED_TOP_K >= SHOWN_MATCHES + 1);
});

test('a "not a leaf" scan names no class, lists nothing and shows no percentage, in every view', () => {
  for (const scan of [record(backgroundFirst), record(backgroundSecond, false)]) {
    assert.deepEqual(presentScan(scan, (label) => en.adviceFor(label)), { kind: 'not-leaf', best: null, matches: [] });
    assert.deepEqual(historySummary(en, scan), { title: english.notLeafShort, detail: en.formatDate(new Date(scan.createdAt)) });
    const text = shareText(en, scan);
    assert.ok(text.includes(english.notLeafTitle), text);
    assert.doesNotMatch(text, /blight|rot|background|%|undefined/i);
    const row = historyToCsv([scan], (label) => en.adviceFor(label)).trim().split('\r\n')[1].split(',');
    assert.deepEqual(row.slice(1, 7), ['not_a_leaf', '', '', '', '', 'yes']);
  }
});

test('a diagnosis with the background class second lists and exports only leaf classes', () => {
  const scan = record(backgroundSecond);
  const { kind, best, matches } = presentScan(scan, (label) => en.adviceFor(label));
  assert.equal(kind, 'disease');
  assert.equal(best.title, 'Tomato: Late blight');
  assert.deepEqual(matches.map((m) => [m.label, m.probability]), [[BLIGHT, 0.8], ['Tomato___healthy', 0.05], ['Potato___Early_blight', 0.03]]);
  assert.doesNotMatch(shareText(en, scan), /background/i);
  const [header, row] = historyToCsv([scan], (label) => en.adviceFor(label)).replace(/^\ufeff/, '').trim().split('\r\n');
  assert.equal(header, 'date,verdict,crop,condition,class,confidence,not_sure,crop_chosen,latitude,longitude,note,model_version');
  assert.deepEqual(row.split(',').slice(1, 7), ['disease', 'Tomato', 'Late blight', BLIGHT, '0.800', 'no']);
  assert.equal(historySummary(en, scan).title, 'Tomato: Late blight');
});

test('"not sure" lists the leaf classes without the background class', () => {
  const top = predictions(['Tomato___healthy', 0.5], [NOT_LEAF_LABEL, 0.3], [BLIGHT, 0.15], ['Apple___Black_rot', 0.05]);
  const { kind, matches } = presentScan(record(top), (label) => en.adviceFor(label));
  assert.equal(kind, 'unsure');
  assert.deepEqual(matches.map((m) => m.label), ['Tomato___healthy', BLIGHT, 'Apple___Black_rot']);
  assert.equal(historySummary(en, record(top)).title, english.unsureShort);
});

// A transparent PNG and a 20000x3 green strip were both called "Orange (citrus): Huanglongbing"
// with confidence: when the engine sees nothing to judge, no class is named anywhere.
test('"nothing to see" is "we cannot tell" and names no class, however confident the model', () => {
  const confident = predictions(['Orange___Haunglongbing_(Citrus_greening)', 0.97], [BLIGHT, 0.02]);
  assert.deepEqual(judge({ top: confident, looksLikeLeaf: true, somethingToSee: false }), { unsure: true, reason: 'nothingToSee' });
  assert.deepEqual(judge({ top: confident, looksLikeLeaf: true, somethingToSee: true }), { unsure: false, reason: null });
  assert.deepEqual(judge({ top: confident, looksLikeLeaf: true }), { unsure: false, reason: null }, 'engines before somethingToSee');
  const scan = { createdAt: Date.UTC(2025, 5, 1, 12), top: confident, ...judge({ top: confident, looksLikeLeaf: true, somethingToSee: false }), note: '' };
  assert.deepEqual(presentScan(scan, (label) => en.adviceFor(label)), { kind: 'unsure', best: null, matches: [] });
  assert.deepEqual(historySummary(en, scan), { title: english.unsureShort, detail: en.formatDate(new Date(scan.createdAt)) });
  const text = shareText(en, scan);
  assert.ok(text.includes(english.unsureTitle), text);
  assert.doesNotMatch(text, /orange|huanglongbing|blight|%|undefined/i);
  const row = historyToCsv([scan], (label) => en.adviceFor(label)).trim().split('\r\n')[1].split(',');
  assert.deepEqual(row.slice(1, 7), ['not_sure', '', '', '', '', 'yes']);
});

test('an iPhone HEIC photo gets its own message; other engine refusals keep theirs', () => {
  const engine = (message) => Object.assign(new Error(message), { name: 'ImageError' });
  assert.equal(imageErrorKey(engine('unsupported image format (HEIC); Leafcheck reads JPEG and PNG images')), 'errorImageHeic');
  assert.equal(imageErrorKey(engine('unsupported image format (GIF); Leafcheck reads JPEG and PNG images')), 'errorImageUnreadable');
  assert.equal(imageErrorKey(engine('image is empty (0 bytes)')), 'errorImageEmpty');
  assert.equal(imageErrorKey(engine('image is 60.0 megapixels; the limit is 40 megapixels')), 'errorImageTooLarge');
});

test('a label without advice, or advice without names, still gets a title and never "undefined"', () => {
  for (const language of LANGUAGES) {
    const tr = translations(language);
    assert.equal(tr.adviceFor(NOT_LEAF_LABEL).known, false, `${language}: the background class needs no advice entry`);
    assert.equal(tr.adviceFor(NOT_LEAF_LABEL).title, 'Background without leaves');
  }
  const partial = new Translations('en', english, { Odd___Leaf_curl: { about: 'Curled.', crop: '', healthy: false } }, english);
  assert.equal(partial.adviceFor('Odd___Leaf_curl').title, 'Odd: Leaf curl');
  assert.equal(partial.adviceFor('Odd___Leaf_curl').known, true);
  const scan = record(predictions(['Unknown_plant___Odd_spots', 0.9], ['Odd___Leaf_curl', 0.1]));
  const text = `${shareText(partial, scan)} ${historySummary(partial, scan).title} ${historyToCsv([scan], (label) => partial.adviceFor(label))}`;
  assert.doesNotMatch(text, /undefined|null|NaN/);
});

test('every language has every UI string the English bundle has', () => {
  for (const language of LANGUAGES) {
    const strings = readJson('i18n', `${language}.json`);
    assert.deepEqual(Object.keys(english).filter((key) => !strings[key]), [], language);
  }
});
