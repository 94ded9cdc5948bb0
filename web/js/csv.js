// History -> CSV (RFC 4180, UTF-8 with BOM so spreadsheet programs pick the encoding).
// Cells that start like a formula are prefixed with ' so a spreadsheet never runs a note as code.
function cell(value) {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function historyToCsv(records, describe) {
  const header = ['date', 'crop', 'condition', 'class', 'confidence', 'not_sure', 'latitude', 'longitude', 'note', 'model_version'];
  const rows = records.map((record) => {
    const best = record.top[0] ?? { label: '', probability: 0 };
    const { crop, condition } = describe(best.label);
    return [
      new Date(record.createdAt).toISOString(),
      crop,
      condition,
      best.label,
      best.probability.toFixed(3),
      record.unsure ? 'yes' : 'no',
      record.location?.latitude?.toFixed(6) ?? '',
      record.location?.longitude?.toFixed(6) ?? '',
      record.note ?? '',
      record.model?.version ?? '',
    ];
  });
  return '\ufeff' + [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
