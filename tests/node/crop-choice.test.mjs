// "Which crop is it?" (web/js/crop-choice.js, crop-view.js): the answer narrowed to the chosen crop's
// classes and "not a leaf", renormalised; crops the model knows one class of are never offered.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { choosableCrops, cropOf, givenCrop } from '../../web/js/crop-choice.js';
import { chosenCropNote, effectiveCrop } from '../../web/js/crop-view.js';
import { historyToCsv } from '../../web/js/csv.js';
import { Translations } from '../../web/js/i18n.js';
import { shareText } from '../../web/js/share.js';
import { NOT_LEAF_LABEL, judge } from '../../web/js/verdict.js';
import { repoRoot } from './support.mjs';

const LABELS = [
  'Corn_(maize)___Common_rust_',
  'Corn_(maize)___healthy',
  'Potato___Early_blight',
  'Soybean___healthy',
  'Tomato___Early_blight',
  'Tomato___Late_blight',
  'Tomato___healthy',
  NOT_LEAF_LABEL,
];
const classification = (...pairs) => ({
  top: pairs.map(([label, probability]) => ({ index: LABELS.indexOf(label), label, probability })),
  looksLikeLeaf: true,
  somethingToSee: true,
});

test('a label names its crop; the background class names none', () => {
  assert.equal(cropOf('Corn_(maize)___Common_rust_'), 'Corn_(maize)');
  assert.equal(cropOf('Pepper,_bell___healthy'), 'Pepper,_bell');
  assert.equal(cropOf(NOT_LEAF_LABEL), null);
});

test('only crops with two or more classes are offered, in label order', () => {
  assert.deepEqual(choosableCrops(LABELS), ['Corn_(maize)', 'Tomato']);
  assert.equal(effectiveCrop('Tomato', LABELS), 'Tomato');
  assert.equal(effectiveCrop('Soybean', LABELS), null, 'one class: every leaf would be "healthy" for sure');
  assert.equal(effectiveCrop('Tomato', []), null, 'no model yet');
  assert.equal(effectiveCrop(null, LABELS), null);
});

// A field photo of a tomato leaf with early blight that the model took for a potato leaf.
const fieldPhoto = classification(
  ['Potato___Early_blight', 0.6],
  ['Tomato___Early_blight', 0.2],
  ['Corn_(maize)___healthy', 0.08],
  ['Tomato___healthy', 0.05],
  [NOT_LEAF_LABEL, 0.04],
  ['Tomato___Late_blight', 0.03],
);

test('with the crop chosen, its classes and "not a leaf" share all the probability', () => {
  const { top } = givenCrop(fieldPhoto, 'Tomato');
  assert.deepEqual(top.map(({ label }) => label), ['Tomato___Early_blight', 'Tomato___healthy', NOT_LEAF_LABEL, 'Tomato___Late_blight']);
  const expected = [0.2, 0.05, 0.04, 0.03].map((p) => p / 0.32);
  top.forEach(({ probability }, i) => assert.ok(Math.abs(probability - expected[i]) < 1e-12, `${probability} vs ${expected[i]}`));
  assert.equal(top[0].index, LABELS.indexOf('Tomato___Early_blight'), 'indices stay the engine\'s');
  assert.deepEqual(judge(givenCrop(fieldPhoto, 'Tomato')), { unsure: false, reason: null });
  assert.deepEqual(judge(fieldPhoto), { unsure: false, reason: null });
});

test('"not a leaf" still wins when it is the likeliest of what is left, and the other flags stay', () => {
  const background = classification([NOT_LEAF_LABEL, 0.5], ['Potato___Early_blight', 0.4], ['Tomato___healthy', 0.1]);
  assert.deepEqual(judge(givenCrop(background, 'Tomato')), { unsure: true, reason: 'notLeaf' });
  const blank = { ...classification(['Tomato___healthy', 0.9], [NOT_LEAF_LABEL, 0.1]), somethingToSee: false };
  assert.deepEqual(judge(givenCrop(blank, 'Tomato')), { unsure: true, reason: 'nothingToSee' });
});

test('no crop, or one the answer does not hold, leaves the answer as it was', () => {
  assert.equal(givenCrop(fieldPhoto, null), fieldPhoto);
  assert.equal(givenCrop(fieldPhoto, 'Grape'), fieldPhoto);
});

test('a scan made with a crop chosen says so in the CSV export, on the result and when shared', () => {
  const english = JSON.parse(readFileSync(join(repoRoot, 'web', 'i18n', 'en.json'), 'utf8'));
  const advice = JSON.parse(readFileSync(join(repoRoot, 'web', 'advice', 'en.json'), 'utf8'));
  const en = new Translations('en', english, advice, english);
  const narrowed = givenCrop(fieldPhoto, 'Tomato');
  const record = { createdAt: Date.UTC(2025, 5, 1), top: narrowed.top, crop: 'Tomato', ...judge(narrowed), note: '', location: null, model: {} };
  const [header, row] = historyToCsv([record], (label) => en.adviceFor(label)).replace(/^\ufeff/, '').trim().split('\r\n');
  const column = header.split(',').indexOf('crop_chosen');
  assert.equal(row.split(',')[column], 'Tomato');
  assert.equal(row.split(',')[header.split(',').indexOf('class')], 'Tomato___Early_blight');
  // The result view and a shared scan name the crop in the person's language; without one, nothing.
  const note = english.cropChosenResult.replace('{crop}', 'Tomato');
  assert.equal(chosenCropNote(en, record), note);
  assert.ok(shareText(en, record).includes(note), shareText(en, record));
  assert.equal(chosenCropNote(en, { ...record, crop: null }), null);
  assert.ok(!shareText(en, { ...record, crop: null }).includes('Tomato.'));
});
