// Kubernetes resource quantities for memory ("512Mi", "4Gi", "128974848", "1.5G", "123456Ki").

const SUFFIX: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

export function parseMemoryQuantity(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q.trim());
  if (!m) throw new Error(`not a memory quantity: "${q}"`);
  return Math.round(Number(m[1]) * SUFFIX[m[2] ?? '']);
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)}Gi`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)}Mi`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)}Ki`;
  return `${n}`;
}
