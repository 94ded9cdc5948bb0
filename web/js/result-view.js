// The result of one scan: photo, verdict, the leaf classes it could be, advice or photo tips.
import { $, element, fillList } from './dom.js';
import { chosenCropNote } from './crop-view.js';
import { canShare } from './share.js';
import { presentScan } from './verdict.js';

const KICKERS = { healthy: 'kickerHealthy', disease: 'kickerDisease', unsure: 'kickerUnsure', 'not-leaf': 'kickerNotLeaf' };
let photoUrl = null;

function summaryText(tr, kind, best, reason) {
  if (kind === 'not-leaf') return tr.t('notLeafSummary');
  if (reason === 'nothingToSee') return tr.t('unsureNothingToSee');
  const percent = tr.formatProbability(best?.probability ?? 0);
  if (kind === 'unsure') return tr.t('unsureLowConfidence', { percent });
  const summary = tr.t(kind === 'healthy' ? 'summaryHealthy' : 'summaryDisease', { percent, crop: best.crop });
  return best.known ? summary : `${summary} ${tr.t('noAdvice')}`;
}

function showAdvice(best) {
  $('advice-about').textContent = best.about ?? '';
  $('advice-cause').textContent = best.cause ? `${best.causeLabel} ${best.cause}` : '';
  $('advice-cause').hidden = !best.cause;
  fillList($('advice-actions'), best.actions);
  fillList($('advice-prevention'), best.prevention);
  $('advice-agronomist').textContent = best.agronomist ?? '';
}

function matchItem(tr, { title, probability }) {
  const bar = element('span');
  bar.style.width = `${Math.max(1, Math.round(probability * 100))}%`;
  return element('li', { className: 'match' }, [
    element('div', { className: 'match-label' }, [element('span', { textContent: title }), element('strong', { textContent: tr.formatProbability(probability) })]),
    element('div', { className: 'match-bar', role: 'presentation' }, [bar]),
  ]);
}

export function showResultPhoto(tr, record) {
  if (photoUrl) URL.revokeObjectURL(photoUrl);
  photoUrl = record.photo ? URL.createObjectURL(record.photo) : null;
  $('result-photo').src = photoUrl ?? '';
  $('result-photo').alt = tr.t('photoAlt');
  $('result-photo').hidden = !photoUrl;
}

// scan: {record, timings}; timings is null for a scan opened from the history.
export function showResult(tr, { record, timings }) {
  const { kind, best, matches } = presentScan(record, (label) => tr.adviceFor(label));
  const result = $('result');
  result.dataset.kind = kind;

  showResultPhoto(tr, record);

  $('result-kicker').textContent = tr.t(KICKERS[kind]);
  $('result-title').textContent = kind === 'not-leaf' ? tr.t('notLeafTitle') : kind === 'unsure' ? tr.t('unsureTitle') : best.title;
  const untrained = record.model?.trained === false ? ` ${tr.t('untrainedResult')}` : '';
  $('result-summary').textContent = summaryText(tr, kind, best, record.reason) + untrained;
  const cropNote = chosenCropNote(tr, record);
  $('result-crop').hidden = !cropNote;
  $('result-crop').textContent = cropNote ?? '';

  const unsure = kind === 'unsure' || kind === 'not-leaf';
  $('result-unsure').hidden = !unsure;
  $('tips-title').textContent = tr.t(kind === 'not-leaf' ? 'tipsTitleNotLeaf' : 'tipsTitle');
  const advice = !unsure && best.known;
  $('result-advice').hidden = !advice;
  if (advice) showAdvice({ ...best, causeLabel: tr.t('causeLabel') });

  $('matches-title').hidden = matches.length === 0;
  $('result-matches').hidden = matches.length === 0;
  $('result-matches').replaceChildren(...matches.map((match) => matchItem(tr, match)));
  $('result-timing').textContent = timings
    ? tr.t('timing', { total: Math.round(timings.decodeMs + timings.preprocessMs + timings.inferenceMs), inference: Math.round(timings.inferenceMs) })
    : tr.t('savedOn', { date: tr.formatDate(new Date(record.createdAt)) });
  $('result-note').value = record.note ?? '';
  $('result-share').hidden = !canShare();
  result.hidden = false;
  $('scan-start').hidden = true;
}
