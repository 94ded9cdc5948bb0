#!/bin/sh
# Here, before training on the lent GPU machine: packs the three data folders training reads
# (../shared/data/{plantvillage,background_without_leaves,plantdoc_field}) into parts that each fit one
# device call (the working tree plus what a call carries is limited to 64 MiB), with a manifest of
# their checksums, and a copy of Debian's stb_image.h (that machine has no Debian packages).
# Output: .remote/ in the repository (ignored by git). See README.md beside this file.
set -eu
repo=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$repo"
data=${LEAFCHECK_DATA_DIR:-../shared/data}
part_size=${PART_SIZE:-50m}
for folder in plantvillage background_without_leaves plantdoc_field; do
  [ -d "$data/$folder" ] || { echo "pack-data: $data/$folder not found (set LEAFCHECK_DATA_DIR)" >&2; exit 1; }
done
rm -rf .remote
mkdir -p .remote/stb
cp /usr/include/stb/stb_image.h /usr/include/stb/stb_image_write.h .remote/stb/
tar -C "$data" -cf - plantvillage background_without_leaves plantdoc_field | split -b "$part_size" -d - .remote/data.tar.
(cd .remote && sha256sum data.tar.* > manifest.sha256)
echo "pack-data: $(ls .remote/data.tar.* | wc -l) parts in .remote/:"
ls -l .remote/data.tar.*
