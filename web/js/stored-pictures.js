// The pictures kept with a scan, made in the worker after the verdict is shown: the photo (JPEG, at most
// 800 px on the long side) and its thumbnail (JPEG, 160 px, the centre square the classifier sees).

const PHOTO_SIDE = 800;
const THUMBNAIL_SIDE = 160;

function jpeg(canvas, quality) {
  return canvas.convertToBlob({ type: 'image/jpeg', quality });
}

// `source`: a Blob (decoded upright, with colour management, as the page would show it) or an ImageData
// (a camera frame). Resolves to {photo, thumbnail} Blobs, or nulls when the browser cannot decode it.
export async function storedPictures(source) {
  let whole;
  try {
    whole = await createImageBitmap(source, { imageOrientation: 'from-image' });
  } catch {
    return { photo: null, thumbnail: null };
  }
  try {
    const scale = Math.min(1, PHOTO_SIDE / Math.max(whole.width, whole.height));
    const width = Math.max(1, Math.round(whole.width * scale));
    const height = Math.max(1, Math.round(whole.height * scale));
    const photoCanvas = new OffscreenCanvas(width, height);
    const photoContext = photoCanvas.getContext('2d');
    photoContext.imageSmoothingQuality = 'high';
    // JPEG has no transparency: without a background, transparent areas would turn black, while the
    // engine judges them as white (wasm/image.h), as a viewer shows them.
    photoContext.fillStyle = '#fff';
    photoContext.fillRect(0, 0, width, height);
    photoContext.drawImage(whole, 0, 0, width, height);

    const side = Math.min(width, height);
    const thumbnailCanvas = new OffscreenCanvas(THUMBNAIL_SIDE, THUMBNAIL_SIDE);
    const thumbnailContext = thumbnailCanvas.getContext('2d');
    thumbnailContext.imageSmoothingQuality = 'high';
    thumbnailContext.drawImage(photoCanvas, (width - side) / 2, (height - side) / 2, side, side, 0, 0, THUMBNAIL_SIDE, THUMBNAIL_SIDE);
    const [photo, thumbnail] = await Promise.all([jpeg(photoCanvas, 0.82), jpeg(thumbnailCanvas, 0.8)]);
    return { photo, thumbnail };
  } finally {
    whole.close();
  }
}
