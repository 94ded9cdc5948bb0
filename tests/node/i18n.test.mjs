// The UI's number formatting (web/js/i18n.js), in each language the app ships.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LANGUAGES, Translations } from '../../web/js/i18n.js';

const translations = (language) => new Translations(language, {}, {}, {});

test('a probability that rounds to 100% or 0% is shown as >99% or <1%', () => {
  const en = translations('en');
  assert.equal(en.formatProbability(0.99997), '>99%');
  assert.equal(en.formatProbability(0.995), '>99%');
  assert.equal(en.formatProbability(0.994), '99%');
  assert.equal(en.formatProbability(0.91), '91%');
  assert.equal(en.formatProbability(0.005), '1%');
  assert.equal(en.formatProbability(0.0004), '<1%');
  assert.equal(en.formatProbability(0), '<1%');
});

test('every language writes the bounds its own way and never claims 100% or 0%', () => {
  for (const language of LANGUAGES) {
    const tr = translations(language);
    const high = tr.formatProbability(0.9999);
    const low = tr.formatProbability(0.0001);
    assert.equal(high, `>${tr.formatPercent(0.99)}`, language);
    assert.equal(low, `<${tr.formatPercent(0.01)}`, language);
    assert.doesNotMatch(`${high} ${low}`, /100|\b0\s?%/, language);
  }
});

test('an accuracy is a plain percentage', () => {
  assert.equal(translations('en').formatPercent(0.9831), '98%');
});
