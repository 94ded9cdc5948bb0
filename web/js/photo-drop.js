// Desktop ways to scan: a photo dropped anywhere on the scan view, or pasted (Ctrl+V).

function firstImageFile(items) {
  return [...(items ?? [])].find((file) => file && (file.type.startsWith('image/') || file.type === '')) ?? null;
}

// zone takes the drop; highlight shows that a drop would land.
export function acceptDroppedPhotos(zone, highlight, onPhoto) {
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    highlight.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => highlight.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    highlight.classList.remove('dragging');
    const file = event.dataTransfer?.files?.[0];
    if (file) onPhoto(file);
  });
}

// A paste into the note field stays text.
export function acceptPastedPhotos(target, onPhoto) {
  target.addEventListener('paste', (event) => {
    if (event.target instanceof HTMLTextAreaElement) return;
    const file = firstImageFile(event.clipboardData?.files);
    if (!file) return;
    event.preventDefault();
    onPhoto(file);
  });
}
