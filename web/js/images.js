// Browser-side image work around a scan: the stored photo and thumbnail, and a colour check that
// catches pictures with no leaf in them (the classifier always answers with some plant class).

// Decodes with the browser, upright (EXIF applied), scaled down so that a panorama cannot exhaust memory.
// Resolves to null when the browser cannot decode the file; the engine's answer decides what to tell.
export async function decodeForDisplay(blob, maxSide = 800) {
  try {
    const probe = await createImageBitmap(blob, { imageOrientation: 'from-image' });
    const scale = Math.min(1, maxSide / Math.max(probe.width, probe.height));
    if (scale === 1) return probe;
    const width = Math.max(1, Math.round(probe.width * scale));
    const height = Math.max(1, Math.round(probe.height * scale));
    probe.close();
    return await createImageBitmap(blob, { imageOrientation: 'from-image', resizeWidth: width, resizeHeight: height, resizeQuality: 'high' });
  } catch {
    return null;
  }
}

function canvasOf(width, height) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

function toJpeg(canvas, quality) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('JPEG encoding failed'))), 'image/jpeg', quality);
  });
}

// The picture as stored with a scan: at most 800 px on the long side.
export function photoBlob(source) {
  const canvas = canvasOf(source.width, source.height);
  canvas.getContext('2d').drawImage(source, 0, 0);
  return toJpeg(canvas, 0.82);
}

// Centre square crop, like the classifier sees it.
export function thumbnailBlob(source, size = 160) {
  const side = Math.min(source.width, source.height);
  const canvas = canvasOf(size, size);
  canvas.getContext('2d').drawImage(source, (source.width - side) / 2, (source.height - side) / 2, side, side, 0, 0, size, size);
  return toJpeg(canvas, 0.8);
}

// Share of the centre square whose colour a leaf can have: green through yellow to brown, with
// enough saturation to not be grey sky, concrete or a white sheet. Lesions are brown/yellow, so a
// diseased leaf still scores high; a photo of a desk, a face or the sky scores low.
// Measured on 300 PlantVillage photos (25 from each of 12 classes) and 300 photos without leaves
// (../shared/data): below 0.15 are 0.7 % of the leaves and 41 % of the others. The classifier's own
// low confidence catches more; this check only has to stop confident answers about non-leaves.
export function leafColourFraction(source) {
  const size = 48;
  const side = Math.min(source.width, source.height);
  const canvas = canvasOf(size, size);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(source, (source.width - side) / 2, (source.height - side) / 2, side, side, 0, 0, size, size);
  const { data } = context.getImageData(0, 0, size, size);
  let leafy = 0;
  for (let i = 0; i < data.length; i += 4) {
    const r = data[i] / 255;
    const g = data[i + 1] / 255;
    const b = data[i + 2] / 255;
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    const saturation = max === 0 ? 0 : (max - min) / max;
    if (max < 0.12 || saturation < 0.15) continue;
    let hue;
    if (max === r) hue = (60 * ((g - b) / (max - min)) + 360) % 360;
    else if (max === g) hue = 60 * ((b - r) / (max - min)) + 120;
    else hue = 60 * ((r - g) / (max - min)) + 240;
    if (hue >= 15 && hue <= 175) leafy++;
  }
  return leafy / (size * size);
}

// Current camera frame -> RGBA pixels for the engine plus a bitmap for display/storage.
export async function grabFrame(video) {
  const canvas = canvasOf(video.videoWidth, video.videoHeight);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(video, 0, 0);
  const imageData = context.getImageData(0, 0, canvas.width, canvas.height);
  const blob = await toJpeg(canvas, 0.9);
  return { imageData, blob };
}
