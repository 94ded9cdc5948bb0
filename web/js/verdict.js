// What a scan means for the person holding the phone, kept apart from the DOM so that the result
// view, the history, sharing and the CSV export all say the same thing (and node can test it).

// PlantVillage's class of photos with no leaf in them. The model predicts it like any other class,
// but it means "this is not a leaf": never a disease, never one of the listed possibilities.
export const NOT_LEAF_LABEL = 'Background_without_leaves';
// Below this top probability the app says "not sure" instead of naming a disease.
export const CONFIDENCE_THRESHOLD = 0.6;
// How many leaf classes a result lists.
export const SHOWN_MATCHES = 3;
// How many predictions a saved scan keeps: one more than is shown, so the list still holds
// SHOWN_MATCHES leaf classes when the not-a-leaf class ranks among them. (The worker hands over
// every class: the crop choice, crop-choice.js, needs them all.)
export const STORED_TOP_K = SHOWN_MATCHES + 1;

export function isNotLeafLabel(label) {
  return label === NOT_LEAF_LABEL;
}

// The engine's predictions that may be listed, best first, with its probabilities untouched.
export function leafMatches(top = [], count = SHOWN_MATCHES) {
  return top.filter(({ label }) => !isNotLeafLabel(label)).slice(0, count);
}

// The verdict stored with a scan. The engine's looksLikeLeaf (share of plant-coloured pixels in the
// model input, wasm/leaf_check.h) also catches photos without a leaf that a model without the
// background class, or one that misses, would still name a disease for. Its somethingToSee is false
// for a blank, one-colour, transparent, tiny or long thin picture (wasm/detail_check.h): the model
// names a class even then, often confidently, so no class is named.
export function judge({ top, looksLikeLeaf, somethingToSee }) {
  const best = top[0];
  if (somethingToSee === false) return { unsure: true, reason: 'nothingToSee' };
  if (!best) return { unsure: true, reason: 'lowConfidence' };
  if (isNotLeafLabel(best.label) || looksLikeLeaf === false) return { unsure: true, reason: 'notLeaf' };
  if (best.probability < CONFIDENCE_THRESHOLD) return { unsure: true, reason: 'lowConfidence' };
  return { unsure: false, reason: null };
}

// A saved scan as every view shows it: kind is 'healthy', 'disease', 'unsure' or 'not-leaf';
// matches are the leaf classes to list, each {label, probability, ...describe(label)}, and best is
// the first of them. "Not a leaf" and "nothing to see" list nothing: any class named there would
// read as a diagnosis.
export function presentScan(record, describe) {
  if (record.reason === 'notLeaf') return { kind: 'not-leaf', best: null, matches: [] };
  if (record.reason === 'nothingToSee') return { kind: 'unsure', best: null, matches: [] };
  const matches = leafMatches(record.top).map(({ label, probability }) => ({ ...describe(label), label, probability }));
  const best = matches[0] ?? null;
  if (record.unsure || !best) return { kind: 'unsure', best, matches };
  return { kind: best.healthy ? 'healthy' : 'disease', best, matches };
}
