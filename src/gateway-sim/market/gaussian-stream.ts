import { Rng } from "../../core/rng.js";

/** A seeded stream of uniform and standard normal deviates (Marsaglia's polar method, keeping the pair's spare). */
export class GaussianStream {
  private readonly rng: Rng;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.rng.next();
  }

  /** Uniform in (0, 1], safe to take the logarithm of. */
  positiveUniform(): number {
    return 1 - this.rng.next();
  }

  /** A standard normal deviate. */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number;
    let v: number;
    let radiusSquared: number;
    do {
      u = 2 * this.rng.next() - 1;
      v = 2 * this.rng.next() - 1;
      radiusSquared = u * u + v * v;
    } while (radiusSquared >= 1 || radiusSquared === 0);
    const scale = Math.sqrt((-2 * Math.log(radiusSquared)) / radiusSquared);
    this.spare = v * scale;
    this.hasSpare = true;
    return u * scale;
  }
}
