// "Which crop is it?": a farmer nearly always knows, and the model, trained mostly on lab photos, is
// far more often wrong about the crop of a field photo than about the disease once the crop is known
// (model/README.md, "Field photos with the crop chosen"). Choosing the crop keeps the model's answer
// among that crop's classes, plus "not a leaf", so a busy background can still be called out.
import { isNotLeafLabel } from './verdict.js';

// PlantVillage labels read "Crop___condition" ("Corn_(maize)___Common_rust_").
export function cropOf(label) {
  const end = label.indexOf('___');
  return end > 0 ? label.slice(0, end) : null;
}

// The crops offered, in the model's label order: only those with two or more classes. Given a crop
// the model knows a single class of (Soybean: healthy only), every leaf would get that class with
// certainty, however sick it is.
export function choosableCrops(labels) {
  const counts = new Map();
  for (const label of labels) {
    const crop = cropOf(label);
    if (crop) counts.set(crop, (counts.get(crop) ?? 0) + 1);
  }
  return [...counts].filter(([, count]) => count >= 2).map(([crop]) => crop);
}

// The classification as if the crop were known: the crop's classes and "not a leaf", with their
// probabilities divided by their sum (the model's probabilities given that the photo shows this
// crop or no leaf), best first. `top` must hold every class (the worker asks for all of them);
// without a crop, or with one the list does not hold, the classification comes back unchanged.
export function givenCrop(classification, crop) {
  if (!crop) return classification;
  const kept = classification.top.filter(({ label }) => cropOf(label) === crop || isNotLeafLabel(label));
  if (!kept.some(({ label }) => cropOf(label) === crop)) return classification;
  const sum = kept.reduce((total, { probability }) => total + probability, 0);
  const top = kept
    .map((entry) => ({ ...entry, probability: sum > 0 ? entry.probability / sum : 1 / kept.length }))
    .sort((a, b) => b.probability - a.probability);
  return { ...classification, top };
}
