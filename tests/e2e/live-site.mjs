// The site the live-mode tests serve, in every engine: dist/ with a random model whose bias fixes the
// answer (tools/make-random-model --favour), so the guess the overlay must show is known.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { injectManifest } from 'workbox-build';
import { injectManifestOptions } from '../../service-worker/workbox-config.mjs';
import { makeFavouredModel, repoRoot } from './support.mjs';

export const NOT_LEAF = 'Background_without_leaves';
const advice = JSON.parse(readFileSync(join(repoRoot, 'web', 'advice', 'en.json'), 'utf8'));
const LABELS = [...Object.keys(advice).filter((key) => key.includes('___')).sort(), NOT_LEAF];

// The title the app shows for a label ("Tomato: Late blight").
export const title = (label) => `${advice[label].crop}: ${advice[label].condition}`;

// A prepare(site) for copyOfDist/serveCopyOfDist: the shipped model replaced by one that ranks the
// favour labels first, second, ... for every picture, and the service worker's manifest redone for it.
export function favouredSite(favour) {
  return async (site) => {
    const modelDir = join(site, 'model');
    const name = readdirSync(modelDir).find((file) => file.endsWith('.lcm'));
    writeFileSync(join(modelDir, name), makeFavouredModel(LABELS, favour));
    await injectManifest(injectManifestOptions(repoRoot, site));
  };
}
