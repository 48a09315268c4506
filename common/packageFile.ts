// This module sits one folder below dist/ both as tsc compiles it (dist/common/) and in the
// bundle (dist/bin/), so the package's root is two folders up either way.
const PACKAGE_ROOT = new URL("../../", import.meta.url);

/** A file the package ships (`proto/gen/jobhooks.binpb`), by its path from package.json's folder. */
export function packageFile(path: string): URL {
  return new URL(path, PACKAGE_ROOT);
}
