// The History list: one row per saved scan, newest first, with its verdict as the result view says it.
import { $, element } from './dom.js';
import { historyToCsv } from './csv.js';
import { presentScan } from './verdict.js';

let thumbnailUrls = [];

// Title and date line of a row. "Not a leaf" shows no percentage: it would read as a diagnosis.
export function historySummary(tr, record) {
  const { kind, best } = presentScan(record, (label) => tr.adviceFor(label));
  const date = tr.formatDate(new Date(record.createdAt));
  if (kind === 'not-leaf') return { title: tr.t('notLeafShort'), detail: date };
  const title = kind === 'unsure' ? tr.t('unsureShort') : best.title;
  return { title, detail: best ? `${date} · ${tr.formatProbability(best.probability)}` : date };
}

function button(text, title, className, onClick) {
  const node = element('button', { type: 'button', className, textContent: text });
  node.setAttribute('aria-label', `${text}: ${title}`);
  node.addEventListener('click', onClick);
  return node;
}

// actions: {open(record), remove(record), share(record) | null when the device cannot share}.
function renderHistoryList(list, tr, records, actions) {
  for (const url of thumbnailUrls) URL.revokeObjectURL(url);
  thumbnailUrls = [];
  list.replaceChildren(
    ...records.map((record) => {
      const { title, detail } = historySummary(tr, record);
      const thumbUrl = record.thumbnail ? URL.createObjectURL(record.thumbnail) : '';
      if (thumbUrl) thumbnailUrls.push(thumbUrl);
      const details = [element('h2', { textContent: title }), element('p', { textContent: detail })];
      if (record.location) {
        details.push(element('p', { className: 'fine-print', textContent: `${tr.t('locationShort')}: ${record.location.latitude.toFixed(5)}, ${record.location.longitude.toFixed(5)}` }));
      }
      if (record.note) details.push(element('p', { className: 'fine-print', textContent: `${tr.t('noteShort')}: ${record.note}` }));
      const buttons = [button(tr.t('open'), title, 'button', () => actions.open(record))];
      if (actions.share) buttons.push(button(tr.t('shareShort'), title, 'button', () => actions.share(record)));
      buttons.push(button(tr.t('delete'), title, 'button danger', () => actions.remove(record)));
      return element('li', { className: 'history-item' }, [
        element('img', { src: thumbUrl, alt: '', width: 80, height: 80 }),
        element('div', {}, details),
        element('div', { className: 'row-actions' }, buttons),
      ]);
    }),
  );
}

// Called when there is no history to show (store unavailable).
function clearHistoryList(list) {
  for (const url of thumbnailUrls) URL.revokeObjectURL(url);
  thumbnailUrls = [];
  list.replaceChildren();
}

// The History view. history: the HistoryStore, or null when the browser keeps none (private mode,
// blocked storage), which the view says. actions: as renderHistoryList's.
export async function showHistory(tr, history, actions) {
  const list = $('history-list');
  if (!history) {
    clearHistoryList(list);
    $('history-empty').hidden = true;
    $('history-export').disabled = true;
    $('history-clear').disabled = true;
    $('history-error').textContent = tr.t('errorHistoryUnavailable');
    $('history-error').hidden = false;
    return;
  }
  const records = await history.list();
  $('history-empty').hidden = records.length > 0;
  $('history-export').disabled = records.length === 0;
  $('history-clear').disabled = records.length === 0;
  renderHistoryList(list, tr, records, actions);
}

export async function downloadHistoryCsv(tr, history) {
  const records = await history.list();
  const csv = historyToCsv(records, (label) => tr.adviceFor(label));
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const link = element('a', { href: url, download: `leafcheck-history-${new Date().toISOString().slice(0, 10)}.csv` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
