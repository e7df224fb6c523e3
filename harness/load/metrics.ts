// k6's built-in metric types over HDR histograms: trends (http_req_duration, iteration_duration),
// rates (http_req_failed) and counters (http_reqs, iterations, dropped_iterations).
import * as hdr from 'hdr-histogram-js';

/** Trend values are recorded in microseconds and reported in milliseconds (k6 reports ms). */
export class Trend {
  private readonly h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
  private sum = 0;
  add(ms: number): void {
    const us = Math.max(1, Math.round(ms * 1000));
    this.h.recordValue(us);
    this.sum += ms;
  }
  get count(): number {
    return this.h.totalCount;
  }
  percentile(p: number): number {
    return this.count ? this.h.getValueAtPercentile(p) / 1000 : 0;
  }
  stats(): Record<string, number> {
    if (!this.count) return { avg: 0, min: 0, med: 0, max: 0, 'p(90)': 0, 'p(95)': 0, 'p(99)': 0, count: 0 };
    return {
      avg: round(this.sum / this.count),
      min: round(this.h.minNonZeroValue / 1000),
      med: round(this.percentile(50)),
      max: round(this.h.maxValue / 1000),
      'p(90)': round(this.percentile(90)),
      'p(95)': round(this.percentile(95)),
      'p(99)': round(this.percentile(99)),
      count: this.count,
    };
  }
}

export class Rate {
  passes = 0;
  total = 0;
  add(hit: boolean): void {
    this.total++;
    if (hit) this.passes++;
  }
  get rate(): number {
    return this.total ? this.passes / this.total : 0;
  }
  stats(): Record<string, number> {
    return { rate: round(this.rate, 6), passes: this.passes, fails: this.total - this.passes };
  }
}

export class Counter {
  count = 0;
  add(n = 1): void {
    this.count += n;
  }
  stats(elapsedMs: number): Record<string, number> {
    return { count: this.count, rate: round(elapsedMs > 0 ? (this.count * 1000) / elapsedMs : 0) };
  }
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/** All metrics of one scope (the whole run, or one scenario for `{scenario:name}` thresholds). */
export class MetricSet {
  readonly http_req_duration = new Trend();
  readonly iteration_duration = new Trend();
  readonly http_req_failed = new Rate();
  readonly http_reqs = new Counter();
  readonly iterations = new Counter();
  readonly dropped_iterations = new Counter();

  summary(elapsedMs: number): Record<string, Record<string, number>> {
    return {
      dropped_iterations: this.dropped_iterations.stats(elapsedMs),
      http_req_duration: this.http_req_duration.stats(),
      http_req_failed: this.http_req_failed.stats(),
      http_reqs: this.http_reqs.stats(elapsedMs),
      iteration_duration: this.iteration_duration.stats(),
      iterations: this.iterations.stats(elapsedMs),
    };
  }
}
