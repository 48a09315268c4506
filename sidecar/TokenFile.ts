import { readFile, stat } from "node:fs/promises";

/** The token file is missing, unreadable or empty: the sidecar cannot speak for its pod. */
export class TokenFileError extends Error {}

interface Loaded {
  token: string;
  /** What identifies one version of the file: the kubelet swaps a symlink to a new inode. */
  version: string;
}

/**
 * The pod's projected ServiceAccount token, read from a file the kubelet rotates. The kubelet
 * writes each token into a fresh directory and swaps the `..data` symlink, so a changed inode
 * or mtime (stat follows the symlink) means a new token. The file is stat'ed at most once per
 * `recheckMs`; concurrent reads share one stat.
 */
export class TokenFile {
  private loaded: Loaded | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private pending: Promise<string> | undefined;

  constructor(
    readonly path: string,
    private readonly recheckMs = 1000,
  ) {}

  /** The current token; throws TokenFileError when there is none to read. */
  read(): Promise<string> {
    if (this.loaded && performance.now() - this.checkedAt < this.recheckMs) {
      return Promise.resolve(this.loaded.token);
    }
    this.pending ??= this.refresh().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async refresh(): Promise<string> {
    try {
      const s = await stat(this.path);
      const version = `${s.dev}:${s.ino}:${s.mtimeMs}:${s.size}`;
      if (this.loaded?.version !== version) {
        const token = (await readFile(this.path, "utf8")).trim();
        if (token === "") throw new TokenFileError(`the token file ${this.path} is empty`);
        this.loaded = { token, version };
      }
      this.checkedAt = performance.now();
      return this.loaded.token;
    } catch (err) {
      // A token that is gone is not used: the kubelet removed it, or the pod is being torn down.
      this.loaded = undefined;
      if (err instanceof TokenFileError) throw err;
      throw new TokenFileError(
        `cannot read the ServiceAccount token file ${this.path}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
  }
}
