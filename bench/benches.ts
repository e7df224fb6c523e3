// The benchmark list `npm run bench` runs, in order.
import { benchAuth } from './auth.ts';
import { benchControlPlane } from './controlplane.ts';
import { benchRepro } from './repro.ts';
import { benchTree } from './tree.ts';

export interface Bench {
  name: string;
  run(): Promise<string[]>;
}

export const benches: Bench[] = [
  { name: 'controlplane', run: benchControlPlane },
  { name: 'auth', run: benchAuth },
  { name: 'repro', run: benchRepro },
  { name: 'tree', run: benchTree },
];
