/** Pure: the demo's seeded randomness, the same sequence on every platform for a seed. */

/** mulberry32: small and fast. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One of `options`, each as likely as its weight. */
export function weighted<T>(rnd: () => number, options: ReadonlyArray<readonly [T, number]>): T {
  const total = options.reduce((sum, [, w]) => sum + w, 0);
  let pick = rnd() * total;
  for (const [value, w] of options) {
    pick -= w;
    if (pick < 0) return value;
  }
  return options[options.length - 1][0];
}

/** An integer from `min` to `max`, inclusive. */
export function between(rnd: () => number, min: number, max: number): number {
  return min + Math.floor(rnd() * (max - min + 1));
}

/** A size spread as such sizes are (many small, a few large): e^(mu + sigma·N(0,1)), rounded. */
export function logNormal(rnd: () => number, mu: number, sigma: number): number {
  const gauss = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  return Math.round(Math.exp(mu + sigma * gauss));
}
