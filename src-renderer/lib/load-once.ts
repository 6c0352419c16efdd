// Values loaded once per key (a view's code): while one loads, every caller gets the same
// promise; once it has loaded, the value itself, so that an `{#await}` over it renders at once
// instead of showing its pending branch for a frame. A load that failed is tried again next time.

export class LoadOnce<T> {
  readonly #loaded = new Map<string, T>();
  readonly #loading = new Map<string, Promise<T>>();

  get(key: string, load: () => Promise<T>): T | Promise<T> {
    if (this.#loaded.has(key)) return this.#loaded.get(key)!;
    let loading = this.#loading.get(key);
    if (!loading) {
      loading = load().then(
        (value) => {
          this.#loaded.set(key, value);
          this.#loading.delete(key);
          return value;
        },
        (error: unknown) => {
          this.#loading.delete(key);
          throw error;
        },
      );
      this.#loading.set(key, loading);
    }
    return loading;
  }
}
