// History -> CSV (RFC 4180, UTF-8 with BOM so spreadsheet programs pick the encoding).
// Cells that start like a formula are prefixed with ' so a spreadsheet never runs a note as code.
import { presentScan } from './verdict.js';

// The verdict column, in words a spreadsheet filter can match whatever the app's language.
const VERDICTS = { healthy: 'healthy', disease: 'disease', unsure: 'not_sure', 'not-leaf': 'not_a_leaf' };

function cell(value) {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// describe(label) -> {crop, condition}. A "not a leaf" row names no crop, class or confidence.
// crop_chosen: the crop picked on the scan view (its PlantVillage name), which narrowed the answer.
export function historyToCsv(records, describe) {
  const header = ['date', 'verdict', 'crop', 'condition', 'class', 'confidence', 'not_sure', 'crop_chosen', 'latitude', 'longitude', 'note', 'model_version'];
  const rows = records.map((record) => {
    const { kind, best } = presentScan(record, describe);
    return [
      new Date(record.createdAt).toISOString(),
      VERDICTS[kind],
      best?.crop,
      best?.condition,
      best?.label,
      best?.probability.toFixed(3),
      record.unsure ? 'yes' : 'no',
      record.crop ?? '',
      record.location?.latitude?.toFixed(6) ?? '',
      record.location?.longitude?.toFixed(6) ?? '',
      record.note ?? '',
      record.model?.version ?? '',
    ];
  });
  return '\ufeff' + [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
