// The "Which crop is it?" picker on the scan view: the crops the model can tell apart
// (crop-choice.js), named in the page's language, with the person's choice kept across visits.
import { $, element } from './dom.js';
import { choosableCrops, cropOf } from './crop-choice.js';

// The crop a scan is made for: the saved choice where the model in use offers it, else none.
export function effectiveCrop(saved, labels = []) {
  return saved && choosableCrops(labels).includes(saved) ? saved : null;
}

// A crop's name in the page's language, as the advice of its first class among `labels` gives it
// ("Corn_(maize)" -> "Maíz"), or null when no label is of that crop.
function cropName(tr, crop, labels) {
  const label = labels.find((candidate) => cropOf(candidate) === crop);
  return label ? tr.adviceFor(label).crop : null;
}

// labels: the model's, or [] while the engine starts (the picker then offers "any crop" only).
export function showCropChoice(tr, labels, saved) {
  const select = $('scan-crop');
  const crops = choosableCrops(labels).map((crop) => ({ crop, name: cropName(tr, crop, labels) }));
  crops.sort((a, b) => a.name.localeCompare(b.name, tr.language));
  select.replaceChildren(
    element('option', { value: '', textContent: tr.t('cropAny') }),
    ...crops.map(({ crop, name }) => element('option', { value: crop, textContent: name })),
  );
  select.value = effectiveCrop(saved, labels) ?? '';
}

// What a scan made with a crop chosen says about it ("Crop chosen: Tomato. Only its diseases were
// considered."), so nobody reads "Tomato: healthy" as a check of every crop; null without a crop.
export function chosenCropNote(tr, record) {
  const name = record.crop && cropName(tr, record.crop, (record.top ?? []).map(({ label }) => label));
  return name ? tr.t('cropChosenResult', { crop: name }) : null;
}
