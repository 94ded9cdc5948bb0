// Sharing one scan (Web Share API): the text says what the result view says, photo attached when
// the device can share files.
import { chosenCropNote } from './crop-view.js';
import { presentScan } from './verdict.js';

export function canShare() {
  return typeof navigator.share === 'function';
}

export function shareText(tr, record) {
  const { kind, best, matches } = presentScan(record, (label) => tr.adviceFor(label));
  const lines = [`Leafcheck — ${tr.formatDate(new Date(record.createdAt))}`];
  if (kind === 'not-leaf') {
    lines.push(tr.t('notLeafTitle'));
  } else if (kind === 'unsure') {
    lines.push(tr.t('unsureTitle'), ...matches.map(({ title, probability }) => `${title}: ${tr.formatProbability(probability)}`));
  } else {
    lines.push(
      `${best.title} (${tr.formatProbability(best.probability)})`,
      ...matches.slice(1).map(({ title, probability }) => `${title}: ${tr.formatProbability(probability)}`),
    );
    if (best.known) lines.push('', `${tr.t('actionsTitle')}:`, ...(best.actions ?? []).map((a) => `- ${a}`));
  }
  const cropNote = chosenCropNote(tr, record);
  if (cropNote) lines.push('', cropNote);
  if (record.location) lines.push('', `${tr.t('locationShort')}: ${record.location.latitude.toFixed(5)}, ${record.location.longitude.toFixed(5)}`);
  if (record.note) lines.push('', `${tr.t('noteShort')}: ${record.note}`);
  if (record.model?.trained === false) lines.push('', tr.t('untrainedTitle'));
  return lines.join('\n');
}

// Resolves to true when shared or cancelled by the person, false when the device refused.
export async function shareRecord(tr, record) {
  const data = { title: 'Leafcheck', text: shareText(tr, record) };
  if (record.photo) {
    const file = new File([record.photo], `leafcheck-${new Date(record.createdAt).toISOString().slice(0, 10)}.jpg`, { type: 'image/jpeg' });
    if (navigator.canShare?.({ files: [file] })) data.files = [file];
  }
  try {
    await navigator.share(data);
    return true;
  } catch (error) {
    return error?.name === 'AbortError';
  }
}
