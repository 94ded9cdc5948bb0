// Browser-side image work around a scan: decoding for display, the stored photo and thumbnail, and
// camera frames. (Whether a picture shows a leaf at all is judged by the engine: looksLikeLeaf.)

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

// Current camera frame -> RGBA pixels for the engine plus a bitmap for display/storage.
export async function grabFrame(video) {
  const canvas = canvasOf(video.videoWidth, video.videoHeight);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(video, 0, 0);
  const imageData = context.getImageData(0, 0, canvas.width, canvas.height);
  const blob = await toJpeg(canvas, 0.9);
  return { imageData, blob };
}
