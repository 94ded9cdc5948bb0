// UI strings (i18n/<lang>.json) and crop advice (advice/<lang>.json), one bundle pair per language.
// Every bundle is precached by the service worker, so switching language works offline.
export const LANGUAGES = ['en', 'pt', 'es'];
const FALLBACK = 'en';

async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

export function preferredLanguage(saved, navigatorLanguages = navigator.languages ?? [navigator.language]) {
  if (LANGUAGES.includes(saved)) return saved;
  for (const tag of navigatorLanguages) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return FALLBACK;
}

function withoutEmpty(entry) {
  return Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== null && value !== undefined && value !== ''));
}

export class Translations {
  // Made once per language, not on each call: a result formats four percentages, and making a
  // formatter costs far more than using one.
  #percent;
  #date;

  constructor(language, strings, advice, fallbackStrings) {
    this.language = language;
    this.strings = strings;
    this.advice = advice;
    this.fallbackStrings = fallbackStrings;
    this.#percent = new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 0 });
    this.#date = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });
  }

  static async load(language) {
    const [strings, advice, fallbackStrings] = await Promise.all([
      fetchJson(`i18n/${language}.json`),
      fetchJson(`advice/${language}.json`).catch(() => ({})),
      language === FALLBACK ? null : fetchJson(`i18n/${FALLBACK}.json`),
    ]);
    return new Translations(language, strings, advice, fallbackStrings ?? strings);
  }

  // t('key', {name: value}) replaces {name} placeholders.
  t(key, values = {}) {
    const template = this.strings[key] ?? this.fallbackStrings[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (match, name) => (name in values ? String(values[name]) : match));
  }

  // Advice entry for a PlantVillage label plus its display title ("Crop: condition"). Names the
  // entry lacks, or the whole entry when the bundle does not cover that class, come from the label
  // itself, so a title never reads "undefined".
  adviceFor(label) {
    const [crop = label, condition = ''] = label.split('___');
    const pretty = (text) => text.replace(/_/g, ' ').replace(/\s+/g, ' ').trim();
    const fromLabel = { crop: pretty(crop), condition: pretty(condition), healthy: /healthy/i.test(condition) };
    const entry = this.advice[label];
    const advice = entry ? { ...fromLabel, ...withoutEmpty(entry), known: true } : { ...fromLabel, known: false };
    return { ...advice, title: advice.condition ? `${advice.crop}: ${advice.condition}` : advice.crop };
  }

  formatPercent(fraction) {
    return this.#percent.format(fraction);
  }

  // A model's probability: never "100%" or "0%", which rounding would otherwise print for 0.996 or
  // 0.004 and which would claim a certainty the model does not have.
  formatProbability(probability) {
    if (probability >= 0.995) return `>${this.formatPercent(0.99)}`;
    if (probability < 0.005) return `<${this.formatPercent(0.01)}`;
    return this.formatPercent(probability);
  }

  formatDate(date) {
    return this.#date.format(date);
  }

  formatBytes(bytes) {
    const units = ['B', 'kB', 'MB', 'GB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return `${new Intl.NumberFormat(this.language, { maximumFractionDigits: unit ? 1 : 0 }).format(value)} ${units[unit]}`;
  }

  // Fills every [data-i18n] text and [data-i18n-aria-label] attribute under root.
  apply(root = document) {
    document.documentElement.lang = this.language;
    for (const element of root.querySelectorAll('[data-i18n]')) element.textContent = this.t(element.dataset.i18n);
    for (const element of root.querySelectorAll('[data-i18n-aria-label]')) {
      element.setAttribute('aria-label', this.t(element.dataset.i18nAriaLabel));
    }
    document.title = this.t('pageTitle');
  }
}
